use super::*;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;

/// What the SDK itself sends: its serializer's CBOR for a GetMetricData.
fn sdk_cbor() -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.begin_map();
    e.str("MetricDataQueries").array(1);
    e.begin_map()
        .str("Id")
        .str("m0")
        .str("ReturnData")
        .boolean(true)
        .str("Period")
        .integer(60)
        .end();
    e.str("StartTime")
        .timestamp(&aws_smithy_types::DateTime::from_secs(1_700_000_000));
    e.str("Ratio").double(0.5);
    e.end();
    e.into_writer()
}

#[test]
fn a_cbor_request_reads_as_the_json_aws_documents() {
    let v = cbor_to_json(&sdk_cbor()).expect("decodes");
    assert_eq!(
        v,
        serde_json::json!({
            "MetricDataQueries": [{"Id": "m0", "ReturnData": true, "Period": 60}],
            "StartTime": 1_700_000_000.0,
            "Ratio": 0.5,
        })
    );
    assert_eq!(cbor_to_json(&[]).expect("empty"), serde_json::json!({}));
}

#[test]
fn the_request_goes_to_the_json_target_with_its_body() {
    let mut req = HttpRequest::new(SdkBody::from(sdk_cbor()));
    req.set_uri(
        "https://monitoring.us-east-1.amazonaws.com/service/GraniteServiceVersion20100801/operation/GetMetricData",
    )
    .expect("uri");
    req.headers_mut().insert("smithy-protocol", "rpc-v2-cbor");
    req.headers_mut().insert("content-type", "application/cbor");
    to_json_request(&mut req).expect("rewritten");
    assert_eq!(req.uri(), "https://monitoring.us-east-1.amazonaws.com/");
    assert_eq!(
        req.headers().get("x-amz-target"),
        Some("GraniteServiceVersion20100801.GetMetricData")
    );
    assert_eq!(
        req.headers().get("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert!(req.headers().get("smithy-protocol").is_none());
    let body: Value = serde_json::from_slice(req.body().bytes().expect("bytes")).expect("json");
    assert_eq!(body["MetricDataQueries"][0]["Id"], "m0");
    let len = req.body().bytes().map(<[u8]>::len).unwrap_or(0).to_string();
    assert_eq!(req.headers().get("content-length"), Some(len.as_str()));
}

#[test]
fn an_endpoint_with_a_path_keeps_it() {
    let mut req = HttpRequest::new(SdkBody::from(sdk_cbor()));
    req.set_uri(
        "http://127.0.0.1:5000/prefix/service/GraniteServiceVersion20100801/operation/PutMetricData",
    )
    .expect("uri");
    to_json_request(&mut req).expect("rewritten");
    assert_eq!(req.uri(), "http://127.0.0.1:5000/prefix");
}

#[test]
fn an_answer_reads_back_with_its_timestamps_tagged() {
    let answer = serde_json::json!({
        "MetricDataResults": [{
            "Id": "m0", "Label": "CPUUtilization",
            "Timestamps": [1_700_000_060.0, 1_700_000_000],
            "Values": [12.5, 3],
            "StatusCode": "Complete"
        }]
    });
    let cbor = json_to_cbor(&answer);
    let mut d = Decoder::new(&cbor);
    assert_eq!(d.map().expect("map"), Some(1));
    assert_eq!(d.str().expect("key"), "MetricDataResults");
    assert_eq!(d.list().expect("list"), Some(1));
    assert_eq!(d.map().expect("result"), Some(5));
    let mut seen = Vec::new();
    for _ in 0..5 {
        let k = d.string().expect("key");
        match k.as_str() {
            "Timestamps" => {
                assert_eq!(d.list().expect("list"), Some(2));
                seen.push(d.timestamp().expect("tagged").secs());
                seen.push(d.timestamp().expect("tagged").secs());
            }
            "Values" => {
                assert_eq!(d.list().expect("list"), Some(2));
                // Doubles, even where JSON wrote an integer.
                assert_eq!(d.double().expect("double"), 12.5);
                assert_eq!(d.double().expect("double"), 3.0);
            }
            _ => d.skip().expect("skip"),
        }
    }
    assert_eq!(seen, vec![1_700_000_060, 1_700_000_000]);
}

#[test]
fn an_error_answer_keeps_its_code_and_message() {
    let cbor = json_to_cbor(&serde_json::json!({
        "__type": "com.amazonaws.monitoring#AccessDeniedException",
        "message": "not authorized to perform: cloudwatch:GetMetricData"
    }));
    let back = cbor_to_json(&cbor).expect("decodes");
    assert_eq!(
        back["__type"],
        "com.amazonaws.monitoring#AccessDeniedException"
    );
    assert_eq!(
        back["message"],
        "not authorized to perform: cloudwatch:GetMetricData"
    );
}
