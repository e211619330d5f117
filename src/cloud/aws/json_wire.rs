//! The CloudWatch client speaks AWS JSON 1.0 on the wire, not the Smithy
//! RPC v2 CBOR its current SDK crate is generated for.
//!
//! CloudWatch accepts three protocols (CBOR, JSON 1.0, the old query);
//! the AWS CLI and boto3 speak JSON 1.0 to it, so every emulator that
//! serves CloudWatch (moto, LocalStack) speaks that one, while moto has no
//! CBOR at all. The SDK still builds and reads every request: its CBOR
//! body is turned into JSON before signing (so the signature covers what
//! is sent), and the JSON answer into CBOR before the SDK reads it.

use std::fmt;

use aws_smithy_cbor::data::Type;
use aws_smithy_cbor::{Decoder, Encoder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Map, Number, Value};

/// CloudWatch's JSON 1.0 target prefix (its Smithy service shape).
const TARGET_PREFIX: &str = "GraniteServiceVersion20100801";

/// Members that are timestamps in the answers ecsdeck reads (GetMetricData's
/// `Timestamps`, a datapoint's `Timestamp`): JSON has bare epoch seconds
/// there, CBOR a tagged time.
const TIME_MEMBERS: &[&str] = &["Timestamps", "Timestamp"];

/// The operations whose answers the conversion knows (no integer member,
/// no other timestamp): any other is passed through, to fail loudly in
/// the SDK rather than be read wrong.
const KNOWN: &[&str] = &["GetMetricData", "PutMetricData"];

/// A CBOR request body (the SDK's) as the JSON 1.0 body AWS reads.
pub(crate) fn cbor_to_json(bytes: &[u8]) -> Result<Value, String> {
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let mut d = Decoder::new(bytes);
    let v = item(&mut d)?;
    Ok(v)
}

fn item(d: &mut Decoder) -> Result<Value, String> {
    let e = |e: aws_smithy_cbor::decode::DeserializeError| e.to_string();
    Ok(match d.datatype().map_err(e)? {
        Type::Map | Type::MapIndef => {
            let mut out = Map::new();
            match d.map().map_err(e)? {
                Some(n) => {
                    for _ in 0..n {
                        let k = d.string().map_err(e)?;
                        out.insert(k, item(d)?);
                    }
                }
                None => {
                    while d.datatype().map_err(e)? != Type::Break {
                        let k = d.string().map_err(e)?;
                        out.insert(k, item(d)?);
                    }
                    d.skip().map_err(e)?;
                }
            }
            Value::Object(out)
        }
        Type::Array | Type::ArrayIndef => {
            let mut out = Vec::new();
            match d.list().map_err(e)? {
                Some(n) => {
                    for _ in 0..n {
                        out.push(item(d)?);
                    }
                }
                None => {
                    while d.datatype().map_err(e)? != Type::Break {
                        out.push(item(d)?);
                    }
                    d.skip().map_err(e)?;
                }
            }
            Value::Array(out)
        }
        Type::String | Type::StringIndef => Value::String(d.string().map_err(e)?),
        Type::Bool => Value::Bool(d.boolean().map_err(e)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(e)?;
            Value::Null
        }
        Type::F16 | Type::F32 | Type::F64 => number(d.double().map_err(e)?)?,
        Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::I8 | Type::I16 | Type::I32 => {
            Value::Number(d.long().map_err(e)?.into())
        }
        Type::I64 | Type::Int => Value::Number(d.long().map_err(e)?.into()),
        // Smithy's CBOR has one tag: epoch-seconds time.
        Type::Tag => number(d.timestamp().map_err(e)?.as_secs_f64())?,
        other => return Err(format!("a CBOR {other:?} has no JSON 1.0 form here")),
    })
}

fn number(f: f64) -> Result<Value, String> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| format!("{f} is not a JSON number"))
}

/// A JSON 1.0 answer as the CBOR the SDK reads. Numbers become doubles:
/// the answers read here (GetMetricData, PutMetricData, errors) have no
/// integer members.
pub(crate) fn json_to_cbor(v: &Value) -> Vec<u8> {
    let mut enc = Encoder::new(Vec::new());
    write(&mut enc, v, false);
    enc.into_writer()
}

fn write(enc: &mut Encoder, v: &Value, time: bool) {
    match v {
        Value::Object(m) => {
            enc.map(m.len());
            for (k, v) in m {
                enc.str(k);
                write(enc, v, TIME_MEMBERS.contains(&k.as_str()));
            }
        }
        Value::Array(a) => {
            enc.array(a.len());
            for v in a {
                write(enc, v, time);
            }
        }
        Value::String(s) => {
            enc.str(s);
        }
        Value::Bool(b) => {
            enc.boolean(*b);
        }
        Value::Null => {
            enc.null();
        }
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if time {
                enc.timestamp(&aws_smithy_types::DateTime::from_secs_f64(f));
            } else {
                enc.double(f);
            }
        }
    }
}

/// The request half: the SDK's CBOR request, rewritten as JSON 1.0 before
/// it is signed.
#[derive(Debug, Default)]
pub(super) struct JsonRequests;

impl Intercept for JsonRequests {
    fn name(&self) -> &'static str {
        "ecsdeck-cloudwatch-json-requests"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        to_json_request(context.request_mut())
    }
}

pub(crate) fn to_json_request(req: &mut HttpRequest) -> Result<(), BoxError> {
    let path = req.uri_mut().path().to_string();
    let marker = format!("/service/{TARGET_PREFIX}/operation/");
    let Some(at) = path.find(&marker) else {
        // Not a CBOR request: leave it as the SDK made it.
        return Ok(());
    };
    let op = path[at + marker.len()..].to_string();
    let base = &path[..at];
    let bytes = req
        .body()
        .bytes()
        .ok_or("a CloudWatch request body that is not in memory")?;
    let json = serde_json::to_vec(&cbor_to_json(bytes)?)?;
    let uri = req.uri().to_string();
    let new_path = if base.is_empty() { "/" } else { base };
    let query = uri.split_once('?').map(|(_, q)| format!("?{q}"));
    let prefix = &uri[..uri.find(&path).unwrap_or(uri.len())];
    req.set_uri(format!("{prefix}{new_path}{}", query.unwrap_or_default()))?;
    let h = req.headers_mut();
    h.remove("smithy-protocol");
    h.insert("content-type", "application/x-amz-json-1.0");
    h.insert("accept", "application/json");
    h.insert("x-amz-target", format!("{TARGET_PREFIX}.{op}"));
    h.insert("content-length", json.len().to_string());
    *req.body_mut() = SdkBody::from(json);
    Ok(())
}

/// The answer half: an HTTP client whose answers in JSON reach the SDK as
/// CBOR. It wraps the client the SDK would have used.
#[derive(Debug, Clone)]
pub(super) struct JsonAnswers {
    pub(super) inner: SharedHttpClient,
}

impl HttpClient for JsonAnswers {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(JsonConnector {
            inner: self.inner.http_connector(settings, components),
        })
    }
}

struct JsonConnector {
    inner: SharedHttpConnector,
}

impl fmt::Debug for JsonConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonConnector")
    }
}

impl HttpConnector for JsonConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let known = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.strip_prefix(TARGET_PREFIX))
            .and_then(|t| t.strip_prefix('.'))
            .is_some_and(|op| KNOWN.contains(&op));
        HttpConnectorFuture::new(async move {
            let mut resp = inner.call(request).await?;
            if !known {
                return Ok(resp);
            }
            let body = resp.take_body();
            let bytes = http_body_util::BodyExt::collect(body)
                .await
                .map_err(aws_smithy_runtime_api::client::result::ConnectorError::io)?
                .to_bytes();
            // By its body, not its content type: moto labels JSON "text".
            let cbor = match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => json_to_cbor(&v),
                Err(_) => {
                    // A proxy's error page, an empty answer: the SDK reads
                    // the status alone.
                    *resp.body_mut() = SdkBody::from(bytes);
                    return Ok(resp);
                }
            };
            let h = resp.headers_mut();
            h.insert("content-type", "application/cbor");
            h.insert("smithy-protocol", "rpc-v2-cbor");
            h.insert("content-length", cbor.len().to_string());
            *resp.body_mut() = SdkBody::from(cbor);
            Ok(resp)
        })
    }
}

#[cfg(test)]
mod tests;
