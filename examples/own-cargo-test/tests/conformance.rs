fn main() -> std::process::ExitCode {
    dpconform::Harness::new()
        .start(|| async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(own_cargo_test::serve(listener));
            url
        })
        .baseline("tests/baseline.toml")
        .run()
}
