use sanso::snapshot::Snapshot;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let snap = Snapshot::load(std::path::Path::new(&p)).unwrap();
    for d in &snap.devices {
        for u in &d.unrecognized {
            println!("{}:{}: {} ({})", d.file, u.line, u.text, u.reason);
        }
    }
    println!("file errors {:?}", snap.file_errors);
}
