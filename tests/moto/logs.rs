//! CloudWatch Logs over the wire: following streams across pages and a
//! replacement task's new stream, another region, a missing group.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ecs::config::Credentials;
use ecsdeck::cloud::Cloud as _;
use ecsdeck::cloud::aws::AwsCloud;

use super::{MOTO, REGION, endpoint, sdk_config};

async fn put(logs: &aws_sdk_cloudwatchlogs::Client, stream: &str, lines: &[String]) {
    let now = ecsdeck::clock::now().timestamp_millis();
    let mut req = logs
        .put_log_events()
        .log_group_name("/ecs/goals")
        .log_stream_name(stream);
    for (i, l) in lines.iter().enumerate() {
        req = req.log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now + i as i64)
                .message(l)
                .build()
                .expect("event"),
        );
    }
    req.send().await.expect("put log events");
}

fn log_source(container: &str, task: &str) -> ecsdeck::model::logs::LogSource {
    ecsdeck::model::logs::LogSource {
        group: "/ecs/goals".into(),
        region: Some(REGION.into()),
        stream: format!("ecs/{container}/{task}"),
        container: container.into(),
        task_arn: format!("arn:aws:ecs:{REGION}:123456789012:task/goals-cluster/{task}"),
        stopped_at: None,
        started: true,
        stop_reason: None,
    }
}

fn messages(r: &ecsdeck::logfollow::FollowResult, container: &str) -> Vec<String> {
    r.batches
        .iter()
        .filter(|b| b.source.container == container)
        .flat_map(|b| b.events.iter().map(|e| e.message.clone()))
        .collect()
}

/// The group `/ecs/goals`, empty.
async fn fresh_group(conf: &aws_config::SdkConfig) -> aws_sdk_cloudwatchlogs::Client {
    let logs = aws_sdk_cloudwatchlogs::Client::new(conf);
    let _ = logs
        .delete_log_group()
        .log_group_name("/ecs/goals")
        .send()
        .await;
    logs.create_log_group()
        .log_group_name("/ecs/goals")
        .send()
        .await
        .expect("group");
    logs
}

#[tokio::test]
async fn logs_follow_across_pages_and_a_replacement_stream() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let logs = fresh_group(&conf).await;
    let (t1, t2) = ("1111aaaa2222bbbb", "3333cccc4444dddd");
    for s in [format!("ecs/goals-api/{t1}"), format!("ecs/mongodb/{t1}")] {
        logs.create_log_stream()
            .log_group_name("/ecs/goals")
            .log_stream_name(s)
            .send()
            .await
            .expect("stream");
    }
    let api1: Vec<String> = (0..5).map(|i| format!("api line {i}")).collect();
    put(&logs, &format!("ecs/goals-api/{t1}"), &api1).await;
    // A hostile line (clipboard write, screen clear) arrives inert: the
    // backend sanitises it where it becomes a domain type.
    put(
        &logs,
        &format!("ecs/mongodb/{t1}"),
        &["\u{1b}]52;c;cGF3bmVk\u{7}\u{1b}[2Jmongo up".into()],
    )
    .await;

    let cloud = AwsCloud::new(&conf, None);
    // Pages of 3 events, so reading on crosses page boundaries.
    let mut follower = ecsdeck::logfollow::LogFollower::new(3);
    let mut sources = vec![log_source("goals-api", t1), log_source("mongodb", t1)];
    let r = follower.poll(&cloud, &sources, ecsdeck::clock::now()).await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(messages(&r, "goals-api"), api1, "the tail on first sight");
    assert_eq!(messages(&r, "mongodb"), vec!["mongo up"], "sanitised");

    let more: Vec<String> = (5..10).map(|i| format!("api line {i}")).collect();
    put(&logs, &format!("ecs/goals-api/{t1}"), &more).await;
    let r = follower.poll(&cloud, &sources, ecsdeck::clock::now()).await;
    assert_eq!(
        messages(&r, "goals-api"),
        more,
        "no line skipped or repeated across pages"
    );
    assert!(messages(&r, "mongodb").is_empty());
    // Both streams in one query; the look-back re-reads the 11 recent
    // events in pages of 3 (4 calls), each shown once.
    assert_eq!(r.calls, 4);

    // The replacement task's stream appears mid-follow.
    logs.create_log_stream()
        .log_group_name("/ecs/goals")
        .log_stream_name(format!("ecs/goals-api/{t2}"))
        .send()
        .await
        .expect("stream 2");
    put(
        &logs,
        &format!("ecs/goals-api/{t2}"),
        &["new task banner".into()],
    )
    .await;
    sources.push(log_source("goals-api", t2));
    // A stream that does not exist yet (the new mongodb) is waited for,
    // not reported.
    sources.push(log_source("mongodb", t2));
    let r = follower.poll(&cloud, &sources, ecsdeck::clock::now()).await;
    let new: Vec<String> = r
        .batches
        .iter()
        .filter(|b| b.source.task_id() == t2)
        .flat_map(|b| b.events.iter().map(|e| e.message.clone()))
        .collect();
    assert_eq!(new, vec!["new task banner"]);
    assert!(
        messages(&r, "goals-api").len() == 1,
        "nothing repeated from task 1"
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    // Four streams, two tasks: once each has been seen, one call a poll
    // follows them all.
    logs.create_log_stream()
        .log_group_name("/ecs/goals")
        .log_stream_name(format!("ecs/mongodb/{t2}"))
        .send()
        .await
        .expect("stream 4");
    put(&logs, &format!("ecs/mongodb/{t2}"), &["mongo 2 up".into()]).await;
    follower.poll(&cloud, &sources, ecsdeck::clock::now()).await;
    let mut follower4 = ecsdeck::logfollow::LogFollower::default();
    follower4
        .poll(&cloud, &sources, ecsdeck::clock::now())
        .await;
    for (c, t) in [
        ("goals-api", t1),
        ("mongodb", t1),
        ("goals-api", t2),
        ("mongodb", t2),
    ] {
        put(&logs, &format!("ecs/{c}/{t}"), &[format!("{c} {t} again")]).await;
    }
    let r = follower4
        .poll(&cloud, &sources, ecsdeck::clock::now())
        .await;
    assert_eq!(r.calls, 1, "one FilterLogEvents for four streams");
    let mut got: Vec<String> = r
        .batches
        .iter()
        .flat_map(|b| b.events.iter().map(|e| e.message.clone()))
        .collect();
    got.sort();
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().all(|m| m.ends_with("again")), "{got:?}");

    // awslogs-region elsewhere: the stream is read in that region.
    let west_conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(&endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    let west = aws_sdk_cloudwatchlogs::Client::new(&west_conf);
    let _ = west
        .create_log_group()
        .log_group_name("/ecs/goals")
        .send()
        .await;
    west.create_log_stream()
        .log_group_name("/ecs/goals")
        .log_stream_name(format!("ecs/goals-api/{t1}"))
        .send()
        .await
        .expect("west stream");
    put(
        &west,
        &format!("ecs/goals-api/{t1}"),
        &["from us-west-2".into()],
    )
    .await;
    let mut west_src = log_source("goals-api", t1);
    west_src.region = Some("us-west-2".into());
    let r = ecsdeck::logfollow::LogFollower::new(2)
        .poll(&cloud, &[west_src], ecsdeck::clock::now())
        .await;
    assert_eq!(messages(&r, "goals-api"), vec!["from us-west-2"]);

    // A missing log group is a problem worth saying.
    let mut missing = log_source("goals-api", t1);
    missing.group = "/ecs/nope".into();
    let mut f = ecsdeck::logfollow::LogFollower::new(2);
    for _ in 1..ecsdeck::logfollow::MISSING_POLLS {
        let r = f
            .poll(
                &cloud,
                std::slice::from_ref(&missing),
                ecsdeck::clock::now(),
            )
            .await;
        assert!(r.problems.is_empty(), "a new stream is waited for a while");
    }
    let r = f.poll(&cloud, &[missing], ecsdeck::clock::now()).await;
    assert_eq!(r.problems.len(), 1);
    assert!(
        r.problems[0]
            .error
            .message
            .contains("awslogs-group (/ecs/nope)"),
        "{:?}",
        r.problems
    );
    assert_eq!(
        r.problems[0].error.kind,
        ecsdeck::cloud::ErrorKind::NotFound
    );
}

/// Events at `secs_ago` seconds before now, one call.
async fn put_at(logs: &aws_sdk_cloudwatchlogs::Client, stream: &str, lines: &[(i64, &str)]) {
    logs.create_log_stream()
        .log_group_name("/ecs/goals")
        .log_stream_name(stream)
        .send()
        .await
        .expect("stream");
    let now = ecsdeck::clock::now().timestamp_millis();
    let mut req = logs
        .put_log_events()
        .log_group_name("/ecs/goals")
        .log_stream_name(stream);
    for (secs_ago, l) in lines {
        req = req.log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now - secs_ago * 1000)
                .message(*l)
                .build()
                .expect("event"),
        );
    }
    req.send().await.expect("put log events");
}

#[tokio::test]
async fn the_hour_before_is_one_filter_window_and_reaches_a_task_ecs_no_longer_lists() {
    let Some(endpoint) = endpoint() else { return };
    let _turn = MOTO.lock().await;
    let conf = sdk_config(&endpoint).await;
    let logs = fresh_group(&conf).await;
    let (gone, running) = ("5555eeee6666ffff", "7777aaaa8888bbbb");
    // The task stopped 50 minutes ago: mongod's last words are an hour old.
    put_at(
        &logs,
        &format!("ecs/mongodb/{gone}"),
        &[
            (7300, "before the window"),
            (3500, "waiting for connections"),
            (3000, "Out of memory: Killed process 1 (mongod)"),
        ],
    )
    .await;
    put_at(
        &logs,
        &format!("ecs/goals-api/{running}"),
        &[(1800, "listening on 3000"), (10, "GET /goals 200")],
    )
    .await;
    // Another service's container in the same group and prefix.
    put_at(&logs, "ecs/billing/9999", &[(100, "not ours")]).await;
    let cloud = AwsCloud::new(&conf, None);
    let before = cloud.api_calls();
    let now = ecsdeck::clock::now();
    let ask = ecsdeck::model::logs::HistoryAsk {
        sources: vec![
            log_source("goals-api", running),
            log_source("mongodb", running),
        ],
        from: now - chrono::Duration::seconds(3600),
        to: now,
        limit: 1000,
    };
    let h = ecsdeck::logfollow::history::load(&cloud, &ask).await;
    assert!(h.error.is_none() && h.hole.is_none(), "{h:?}");
    let mut lines: Vec<(i64, String, String)> = h
        .batches
        .iter()
        .flat_map(|b| {
            b.events.iter().map(|e| {
                (
                    e.timestamp_ms,
                    format!(
                        "{} {}",
                        b.source.container,
                        ecsdeck::model::short_id(&b.source.task_arn)
                    ),
                    e.message.clone(),
                )
            })
        })
        .collect();
    lines.sort();
    let seen: Vec<(&str, &str)> = lines.iter().map(|l| (l.1.as_str(), l.2.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("mongodb 5555eeee", "waiting for connections"),
            (
                "mongodb 5555eeee",
                "Out of memory: Killed process 1 (mongod)"
            ),
            ("goals-api 7777aaaa", "listening on 3000"),
            ("goals-api 7777aaaa", "GET /goals 200"),
        ]
    );
    // One FilterLogEvents window, counted where the call counter counts.
    assert_eq!((h.calls, cloud.api_calls() - before), (1, 1));
    assert!(
        cloud
            .api_calls_by()
            .iter()
            .any(|(api, n)| api == "logs:FilterLogEvents" && *n == 1),
        "{:?}",
        cloud.api_calls_by()
    );
}
