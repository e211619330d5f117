//! A named profile is its own identity, and keys replaced while ecsdeck runs (its own process: it sets the
//! environment's AWS file paths). The SDK reads a profile once; while AWS
//! refuses the credentials, each retry loads the configuration again, so
//! new keys in ~/.aws/credentials end the pause without a restart. STS is
//! moto's (scripts/test.sh starts it); nothing leaves the machine.

use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::aws::{AwsCloud, AwsOptions, load_config};
use ecsdeck::model::error::ErrorKind;

#[test]
fn keys_written_while_paused_are_read_by_the_next_try() {
    let endpoint = match std::env::var("ECSDECK_MOTO_ENDPOINT") {
        Ok(e) => e,
        Err(_) if std::env::var_os("ECSDECK_SKIP_MOTO").is_some() => return,
        Err(_) => panic!("ECSDECK_MOTO_ENDPOINT is not set: run the tests with scripts/test.sh"),
    };
    let dir = tempfile::tempdir().expect("tmp");
    let creds = dir.path().join("credentials");
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile ops]\nregion = us-east-1\n").expect("config");
    std::fs::write(&creds, "[ops]\n").expect("credentials");
    // SAFETY: set before the runtime starts, in a test binary of its own
    // with this one test: no other thread reads the environment.
    unsafe {
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &creds);
        for v in ["AWS_PROFILE", "AWS_SESSION_TOKEN"] {
            std::env::remove_var(v);
        }
        // Keys in the environment too, which a named profile does not use
        // (as the AWS CLI's --profile does not).
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENTKEY00");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "environment-secret");
        // No instance metadata on this machine: do not wait for it.
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let opts = AwsOptions {
            profile: Some("ops".into()),
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint),
            profile_only: true,
        };
        let conf = load_config(&opts).await.expect("config");
        let cloud = AwsCloud::new(&conf, Some("ops".into())).reloading(opts);
        let e = cloud
            .identity()
            .await
            .expect_err("no keys in the profile yet; the environment's are not its");
        assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
        // The operator puts new keys in place.
        std::fs::write(
            &creds,
            "[ops]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        )
        .expect("keys");
        let still = cloud.identity().await;
        assert!(
            still.is_err(),
            "the SDK read the profile once: without a reload the keys are not seen"
        );
        cloud.reload_credentials().await;
        let id = cloud.identity().await.expect("the new keys are used");
        assert!(!id.account.is_empty());
    });
}
