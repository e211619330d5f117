//! SDK shapes to domain types, and SDK errors to `CloudError`.

use std::fmt::Debug;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::cloud::{CloudError, ErrorKind};
use crate::model::sanitize::clean;
use crate::model::{
    CircuitBreaker, Container, ContainerDef, ContainerLimits, Deployment, DeploymentConfig,
    EfsVolume, FileSystem, HealthCheck, LbBinding, Listener, ListenerRule, LoadBalancer, LogConfig,
    MountPoint, MountTarget, RuleCondition, Service, ServiceEvent, Target, TargetGroup, Task,
    TaskDef, Time, Volume,
};

/// An SDK error with the operation's type erased, so one classifier serves
/// every call.
pub struct AnySdkError {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    transport: Option<ErrorKind>,
    transport_text: Option<String>,
    text: String,
}

impl<E, R> From<SdkError<E, R>> for AnySdkError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    fn from(e: SdkError<E, R>) -> Self {
        let text = clean(&DisplayErrorContext(&e).to_string());
        // What an operator can read for a transport failure: the innermost
        // cause ("Connection refused (os error 111)"), not the SDK's
        // debug dump.
        let root = {
            let mut cur: &dyn std::error::Error = &e;
            while let Some(next) = cur.source() {
                cur = next;
            }
            clean(&cur.to_string())
        };
        let transport = match &e {
            SdkError::DispatchFailure(d) => {
                if d.is_io() || d.is_timeout() {
                    Some(ErrorKind::Network)
                } else {
                    Some(provider_failure(&text))
                }
            }
            SdkError::TimeoutError(_) => Some(ErrorKind::Network),
            _ => None,
        };
        let transport_text = match &e {
            SdkError::TimeoutError(_) => Some("no answer before the timeout".to_string()),
            SdkError::DispatchFailure(d) if d.is_timeout() => {
                Some("no answer before the timeout".to_string())
            }
            // The credentials provider could not reach its own service
            // (the SSO portal, STS, instance metadata): say so, or the
            // operator looks for a problem with ECS.
            SdkError::DispatchFailure(d) if !d.is_io() && transport == Some(ErrorKind::Network) => {
                Some(format!("the credentials could not be loaded: {root}"))
            }
            SdkError::DispatchFailure(_) => Some(root),
            _ => None,
        };
        AnySdkError {
            code: e.code().map(clean),
            message: e.message().map(clean),
            request_id: e.meta().extra("aws_request_id").map(clean),
            transport,
            transport_text,
            text,
        }
    }
}

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];
const CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
];

/// A failure before the request was sent (the SDK resolves credentials
/// then): a credentials provider that says no (an expired SSO session,
/// no credentials at all) is Credentials; one that could not reach its
/// own service (the SSO portal, STS for a role, instance metadata) is
/// Network — logging in again would not help.
fn provider_failure(text: &str) -> ErrorKind {
    let lower = text.to_ascii_lowercase();
    if lower.contains("identity resolver timed out") {
        return ErrorKind::Network;
    }
    let Some(at) = lower.find("credential") else {
        return ErrorKind::Other;
    };
    let cause = &lower[at..];
    let unreachable = [
        "dispatch failure",
        "io error",
        "timed out",
        "timeout",
        "connection refused",
        "error trying to connect",
        "dns error",
    ];
    if unreachable.iter().any(|w| cause.contains(w)) {
        ErrorKind::Network
    } else {
        ErrorKind::Credentials
    }
}

/// A request signed with a clock too far from AWS's: the SDK learns the
/// offset from the answer's `Date` and signs the next one right, so it is
/// neither a credentials problem (no login helps) nor worth a pause.
fn clock_skew(code: &str, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    matches!(code, "RequestExpired" | "RequestTimeTooSkewed")
        || (matches!(code, "SignatureDoesNotMatch" | "InvalidSignatureException")
            && (m.contains("signature expired") || m.contains("not yet current")))
}

/// Classifies an SDK error so the UI can say what to do about it.
pub fn classify(e: AnySdkError, action: &str) -> CloudError {
    let code = e.code.clone().unwrap_or_default();
    let skewed = clock_skew(&code, e.message.as_deref().unwrap_or_default());
    let kind = if skewed {
        ErrorKind::Other
    } else if THROTTLING.contains(&code.as_str()) {
        ErrorKind::Throttled
    } else if DENIED.contains(&code.as_str()) {
        ErrorKind::AccessDenied
    } else if CREDENTIALS.contains(&code.as_str()) {
        ErrorKind::Credentials
    } else if code.ends_with("NotFoundException") || code.ends_with("NotFound") {
        ErrorKind::NotFound
    } else if let Some(k) = e.transport {
        k
    } else {
        ErrorKind::Other
    };
    let message = match (e.message, e.transport_text) {
        (Some(m), _) if !m.is_empty() => m,
        (_, Some(t)) => t,
        _ => e.text,
    };
    CloudError {
        kind,
        action: action.to_string(),
        code: e.code,
        message,
        request_id: e.request_id,
        hint: skewed.then(|| {
            "this host's clock is off from AWS's: the next request is signed with the offset; fix the clock (chrony, ntpd) for good".to_string()
        }),
    }
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<Time> {
    let t = t?;
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Every string from AWS goes through `clean` (or `s` and `o`) on its way
/// into a domain type: stop reasons, event messages and descriptions are
/// free text that anyone with the right permission sets.
fn s(v: Option<&str>) -> String {
    clean(v.unwrap_or_default())
}

fn o(v: Option<&str>) -> Option<String> {
    v.filter(|x| !x.is_empty()).map(clean)
}

pub fn service(sv: &aws_sdk_ecs::types::Service, cluster: &str) -> Service {
    let dc = sv.deployment_configuration();
    Service {
        name: s(sv.service_name()),
        arn: s(sv.service_arn()),
        cluster: cluster.to_string(),
        status: s(sv.status()),
        launch_type: sv.launch_type().map(|l| clean(l.as_str())),
        desired: sv.desired_count(),
        running: sv.running_count(),
        pending: sv.pending_count(),
        task_definition: s(sv.task_definition()),
        exec_enabled: sv.enable_execute_command(),
        deployments: sv
            .deployments()
            .iter()
            .map(|d| Deployment {
                id: s(d.id()),
                status: s(d.status()),
                rollout_state: d.rollout_state().map(|r| clean(r.as_str())),
                rollout_reason: o(d.rollout_state_reason()),
                task_definition: s(d.task_definition()),
                desired: d.desired_count(),
                running: d.running_count(),
                pending: d.pending_count(),
                failed: d.failed_tasks(),
                updated_at: time(d.updated_at()),
            })
            .collect(),
        config: DeploymentConfig {
            // ECS's documented defaults for a service with no explicit
            // configuration (REPLICA, rolling update).
            min_percent: dc.and_then(|c| c.minimum_healthy_percent()).unwrap_or(100),
            max_percent: dc.and_then(|c| c.maximum_percent()).unwrap_or(200),
            circuit_breaker: dc.and_then(|c| c.deployment_circuit_breaker()).map(|b| {
                CircuitBreaker {
                    enable: b.enable(),
                    rollback: b.rollback(),
                }
            }),
        },
        load_balancers: sv
            .load_balancers()
            .iter()
            .filter_map(|lb| {
                Some(LbBinding {
                    target_group_arn: clean(lb.target_group_arn()?),
                    container_name: s(lb.container_name()),
                    container_port: lb.container_port().unwrap_or(0),
                })
            })
            .collect(),
        events: sv
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: s(e.id()),
                at: time(e.created_at()),
                message: s(e.message()),
            })
            .collect(),
    }
}

pub fn task_def(td: &aws_sdk_ecs::types::TaskDefinition) -> TaskDef {
    // Strings in the API ("1024"); the console's "1 vCPU" / "2 GB" forms
    // are turned into numbers by ECS when registering.
    let units = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u32>().ok());
    TaskDef {
        cpu: units(td.cpu()),
        memory_mib: units(td.memory()),
        task_role_arn: o(td.task_role_arn()),
        arn: s(td.task_definition_arn()),
        family: s(td.family()),
        revision: td.revision(),
        network_mode: td
            .network_mode()
            .map(|m| clean(m.as_str()))
            .unwrap_or_else(|| "bridge".into()),
        containers: td
            .container_definitions()
            .iter()
            .map(|c| ContainerDef {
                readonly_root: c.readonly_root_filesystem().unwrap_or(false),
                name: s(c.name()),
                image: s(c.image()),
                // ECS treats a container as essential unless told otherwise.
                essential: c.essential().unwrap_or(true),
                health_check: c.health_check().map(|h| h.command().to_vec()),
                stop_timeout_s: c.stop_timeout(),
                limits: ContainerLimits {
                    // ECS reports 0 units for a container without its own.
                    cpu: u32::try_from(c.cpu()).ok().filter(|&u| u > 0),
                    memory_mib: c.memory().and_then(|m| u32::try_from(m).ok()),
                    memory_reservation_mib: c
                        .memory_reservation()
                        .and_then(|m| u32::try_from(m).ok()),
                },
                mount_points: c
                    .mount_points()
                    .iter()
                    .map(|m| MountPoint {
                        volume: s(m.source_volume()),
                        path: s(m.container_path()),
                        read_only: m.read_only().unwrap_or(false),
                    })
                    .collect(),
                log: c.log_configuration().and_then(|l| {
                    if l.log_driver().as_str() != "awslogs" {
                        return None;
                    }
                    let opts = l.options()?;
                    Some(LogConfig {
                        group: clean(opts.get("awslogs-group")?),
                        region: opts.get("awslogs-region").map(|r| clean(r)),
                        stream_prefix: opts.get("awslogs-stream-prefix").map(|p| clean(p)),
                    })
                }),
            })
            .collect(),
        volumes: td
            .volumes()
            .iter()
            .map(|v| Volume {
                name: s(v.name()),
                efs: v.efs_volume_configuration().map(|e| {
                    let auth = e.authorization_config();
                    EfsVolume {
                        file_system_id: clean(e.file_system_id()),
                        root_directory: o(e.root_directory()),
                        access_point: auth.and_then(|a| o(a.access_point_id())),
                        transit_encryption: e
                            .transit_encryption()
                            .is_some_and(|t| t.as_str() == "ENABLED"),
                        iam: auth
                            .and_then(|a| a.iam())
                            .is_some_and(|i| i.as_str() == "ENABLED"),
                    }
                }),
            })
            .collect(),
    }
}

pub fn task(t: &aws_sdk_ecs::types::Task) -> Task {
    let eni_ip = t
        .attachments()
        .iter()
        .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .map(clean);
    // Older task shapes carry the address on the container instead.
    let container_ip = t
        .containers()
        .iter()
        .flat_map(|c| c.network_interfaces())
        .find_map(|n| n.private_ipv4_address())
        .map(clean);
    Task {
        arn: s(t.task_arn()),
        task_definition: s(t.task_definition_arn()),
        last_status: s(t.last_status()),
        desired_status: s(t.desired_status()),
        health: t.health_status().map(|h| clean(h.as_str())),
        launch_type: t.launch_type().map(|l| clean(l.as_str())),
        az: o(t.availability_zone()),
        private_ip: eni_ip.or(container_ip),
        // Replaced by the EC2 instance id once the container instance is
        // described (bridge mode only).
        ec2_instance: o(t.container_instance_arn()),
        created_at: time(t.created_at()),
        started_at: time(t.started_at()),
        pull_started_at: time(t.pull_started_at()),
        pull_stopped_at: time(t.pull_stopped_at()),
        stopping_at: time(t.stopping_at()),
        stopped_at: time(t.stopped_at()),
        stop_code: t.stop_code().map(|c| clean(c.as_str())),
        stopped_reason: o(t.stopped_reason()),
        exec_enabled: t.enable_execute_command(),
        containers: t
            .containers()
            .iter()
            .map(|c| Container {
                name: s(c.name()),
                image: s(c.image()),
                last_status: s(c.last_status()),
                health: c.health_status().map(|h| clean(h.as_str())),
                exit_code: c.exit_code(),
                reason: o(c.reason()),
                bindings: c
                    .network_bindings()
                    .iter()
                    .filter_map(|b| Some((b.container_port()?, b.host_port()?)))
                    .collect(),
                exec_agent: c
                    .managed_agents()
                    .iter()
                    .find(|a| a.name().map(|n| n.as_str()) == Some("ExecuteCommandAgent"))
                    .map(|a| {
                        let status = a
                            .last_status()
                            .map(clean)
                            .unwrap_or_else(|| "PENDING".into());
                        // A stopped agent says why; the menu shows it.
                        match a.reason().filter(|r| !r.is_empty()) {
                            Some(r) => format!("{status} ({})", clean(r)),
                            None => status,
                        }
                    }),
            })
            .collect(),
    }
}

pub fn target_group(tg: &aws_sdk_elasticloadbalancingv2::types::TargetGroup) -> TargetGroup {
    TargetGroup {
        arn: s(tg.target_group_arn()),
        name: s(tg.target_group_name()),
        protocol: tg.protocol().map(|p| clean(p.as_str())),
        port: tg.port(),
        target_type: tg
            .target_type()
            .map(|t| clean(t.as_str()))
            .unwrap_or_else(|| "instance".into()),
        health_check: HealthCheck {
            protocol: tg.health_check_protocol().map(|p| clean(p.as_str())),
            path: o(tg.health_check_path()),
            port: o(tg.health_check_port()),
            interval_s: tg.health_check_interval_seconds(),
            timeout_s: tg.health_check_timeout_seconds(),
            healthy_threshold: tg.healthy_threshold_count(),
            unhealthy_threshold: tg.unhealthy_threshold_count(),
            matcher: tg.matcher().and_then(|m| o(m.http_code())),
        },
        deregistration_delay_s: None,
        load_balancers: Vec::new(),
        targets: Vec::new(),
    }
}

pub fn target(d: &aws_sdk_elasticloadbalancingv2::types::TargetHealthDescription) -> Target {
    let t = d.target();
    let h = d.target_health();
    Target {
        id: s(t.and_then(|t| t.id())),
        port: t.and_then(|t| t.port()),
        az: t.and_then(|t| o(t.availability_zone())),
        state: h
            .and_then(|h| h.state())
            .map(|s| clean(s.as_str()))
            .unwrap_or_else(|| "unknown".into()),
        reason: h.and_then(|h| h.reason()).map(|r| clean(r.as_str())),
        description: h.and_then(|h| o(h.description())),
    }
}

/// The target groups a listener's default actions forward to: a plain
/// `forward` names one, a weighted forward lists several.
fn forwards(actions: &[aws_sdk_elasticloadbalancingv2::types::Action]) -> Vec<String> {
    // An authenticate-oidc/-cognito action first answers an anonymous
    // request with a redirect to the identity provider (or 401): the
    // probe and the drill never reach the group behind it.
    if actions.iter().any(|a| {
        a.r#type()
            .is_some_and(|t| t.as_str().starts_with("authenticate"))
    }) {
        return Vec::new();
    }
    let mut arns: Vec<String> = Vec::new();
    for a in actions {
        let weighted = a
            .forward_config()
            .map(|f| f.target_groups())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.target_group_arn());
        for arn in a.target_group_arn().into_iter().chain(weighted) {
            let arn = clean(arn);
            if !arns.contains(&arn) {
                arns.push(arn);
            }
        }
    }
    arns
}

/// A listener's rules other than the default, with their conditions as
/// values (the newer per-field configs, or the older `Values`).
pub fn rules(rules: &[aws_sdk_elasticloadbalancingv2::types::Rule]) -> Vec<ListenerRule> {
    rules
        .iter()
        .filter(|r| !r.is_default().unwrap_or(false))
        .filter_map(|r| {
            let priority = r.priority()?.parse::<i32>().ok()?;
            let conditions = r
                .conditions()
                .iter()
                .map(|c| {
                    let field = c.field().map(clean).unwrap_or_default();
                    let own: Option<Vec<String>> = match field.as_str() {
                        "path-pattern" => c.path_pattern_config().map(|x| x.values().to_vec()),
                        "host-header" => c.host_header_config().map(|x| x.values().to_vec()),
                        "http-request-method" => {
                            c.http_request_method_config().map(|x| x.values().to_vec())
                        }
                        "http-header" => c.http_header_config().map(|x| x.values().to_vec()),
                        _ => None,
                    };
                    let field = match (field.as_str(), c.http_header_config()) {
                        ("http-header", Some(h)) => {
                            format!("http-header:{}", clean(h.http_header_name().unwrap_or("")))
                        }
                        // A regular expression is not decided here.
                        _ if !c.regex_values().is_empty() => format!("{field} (regex)"),
                        _ => field,
                    };
                    let values = own
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| c.values().to_vec())
                        .iter()
                        .chain(c.regex_values())
                        .map(|v| clean(v))
                        .collect();
                    RuleCondition { field, values }
                })
                .collect();
            Some(ListenerRule {
                priority,
                conditions,
                forwards: forwards(r.actions()),
            })
        })
        .collect()
}

pub fn load_balancer(
    arn: &str,
    lb: Option<&aws_sdk_elasticloadbalancingv2::types::LoadBalancer>,
    listeners: &[aws_sdk_elasticloadbalancingv2::types::Listener],
) -> LoadBalancer {
    LoadBalancer {
        unreadable: None,
        arn: arn.to_string(),
        name: s(lb.and_then(|l| l.load_balancer_name())),
        dns_name: s(lb.and_then(|l| l.dns_name())),
        scheme: lb.and_then(|l| l.scheme()).map(|x| clean(x.as_str())),
        state: lb
            .and_then(|l| l.state())
            .and_then(|st| st.code())
            .map(|c| clean(c.as_str())),
        listeners: listeners
            .iter()
            .map(|l| Listener {
                protocol: l.protocol().map(|p| clean(p.as_str())).unwrap_or_default(),
                port: l.port().unwrap_or(0),
                forwards: forwards(l.default_actions()),
                rules: Vec::new(),
                rules_error: None,
            })
            .collect(),
    }
}

pub fn file_system(
    fs: &aws_sdk_efs::types::FileSystemDescription,
    mts: &[aws_sdk_efs::types::MountTargetDescription],
) -> FileSystem {
    FileSystem {
        id: clean(fs.file_system_id()),
        name: o(fs.name()),
        lifecycle: clean(fs.life_cycle_state().as_str()),
        size_bytes: fs.size_in_bytes().map(|s| s.value()).unwrap_or(0),
        mount_target_count: fs.number_of_mount_targets(),
        mount_targets: mts
            .iter()
            .map(|m| MountTarget {
                id: clean(m.mount_target_id()),
                az: o(m.availability_zone_name()),
                state: clean(m.life_cycle_state().as_str()),
                ip: o(m.ip_address()),
            })
            .collect(),
    }
}
