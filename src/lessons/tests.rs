use super::*;
use crate::engine::{Cluster, NodeId};

/// Plays a script on the run, failing the test at a bad line.
fn play(run: &mut Run, script: &str, what: &str) {
    let (transcript, errors) = run.run_script(script, false);
    assert!(errors.is_empty(), "{what}: {errors:?}\n{transcript}");
}

/// The lesson's setup, played: the run and the moment the lesson starts.
fn open(lesson: &Lesson) -> (Run, Millis) {
    let mut run = Run::default();
    play(&mut run, &lesson.setup, &format!("{}: setup", lesson.id));
    let start_ms = run.now_ms();
    (run, start_ms)
}

#[test]
fn every_lesson_parses_with_a_unique_id() {
    let lessons = all();
    assert_eq!(lessons.len(), SOURCES.len());
    let mut ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), lessons.len(), "duplicate lesson ids");
    for lesson in &lessons {
        assert!(!lesson.about.is_empty(), "{} has no narration", lesson.id);
        assert!(lesson.steps.len() >= 2, "{} has one step", lesson.id);
    }
}

/// Every step of every lesson: not done when it starts, done once its show script ran.
#[test]
fn every_step_can_be_done_and_is_not_done_before() {
    for lesson in all() {
        let (mut run, start_ms) = open(&lesson);
        for (number, step) in lesson.steps.iter().enumerate() {
            let name = format!("{} step {}", lesson.id, number + 1);
            assert!(!step.done(&run, start_ms), "{name} is done before the learner acts");
            play(&mut run, &step.show, &name);
            for goal in &step.goals {
                assert!(goal.met(&run, start_ms), "{name}: \"{goal}\" not met by its show script");
            }
        }
    }
}

#[test]
fn a_bad_lesson_name_lists_the_lessons() {
    let lessons = all();
    assert_eq!(position(&lessons, "failover").map(|i| lessons[i].steps.len()), Ok(3));
    let error = position(&lessons, "failovr").unwrap_err().to_string();
    assert!(error.contains("there is no lesson \"failovr\""), "{error}");
    assert!(error.contains("why-replication, primary-and-replica"), "{error}");
}

#[test]
fn a_malformed_lesson_file_says_which_line() {
    let cases = [
        (
            "lesson: x\ntitle: T\nsetup: cluster\nstep: do\ngoal: crash it\nshow: crash pg1\n",
            "line 5: goal: unknown goal",
        ),
        (
            "lesson: x\ntitle: T\nsetup: cluster\ngoal: promoted\n",
            "line 4: goal: belongs to a step",
        ),
        (
            "lesson: x\ntitle: T\nsetup: cluster\nstep: do\nshow: crash pg1\n",
            "needs a goal and a show script",
        ),
        ("lesson: x\ntitle: T\nsetup: cluster\nwhen: now\n", "line 4: when: unknown key"),
        ("lesson: Big Lesson\n", "lower-case words"),
        ("  stray\nlesson: x\n", "line 1: text before the first key"),
        ("lesson: x\nno colon here\n", "line 2: expected \"key: value\""),
    ];
    for (source, expected) in cases {
        let error = Lesson::parse(source).unwrap_err().to_string();
        assert!(error.contains(expected), "{source:?}: {error}");
    }
}

#[test]
fn narration_keeps_paragraphs_and_scripts_keep_lines() {
    let source = "lesson: x\ntitle: T\nabout:\n    one\n    two\n\n    three\nsetup:\n    cluster replicas=1\n    advance 1s\nstep: Do it.\ngoal: promoted\nshow: crash pg1\nthen: Done\n    now.\n";
    let lesson = Lesson::parse(source).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.about, ["one two", "three"]);
    assert_eq!(lesson.setup, "cluster replicas=1\nadvance 1s\n");
    assert_eq!(lesson.steps[0].show, "crash pg1\n");
    assert_eq!(lesson.steps[0].then.as_deref(), Some("Done now."));
}

/// The mean of a node's statements per second over its last `seconds` samples.
fn statements_per_s(cluster: &Cluster, node: NodeId, seconds: usize) -> f64 {
    let metrics = cluster.metrics().node(node);
    let points: Vec<f64> =
        metrics.statements_per_s.points().rev().take(seconds).map(|p| p.1).collect();
    points.iter().sum::<f64>() / points.len().max(1) as f64
}

/// The write-bottleneck lesson's teaching moment: adding replicas divides each replica's reads
/// and leaves the primary's statements (the writes) where they were.
#[test]
fn replicas_take_the_reads_and_the_primary_keeps_every_write() {
    let lessons = all();
    let lesson = &lessons[position(&lessons, "write-bottleneck").unwrap_or_else(|e| panic!("{e}"))];
    let (mut run, _) = open(lesson);
    play(&mut run, "advance 10s", "warm up");
    let primary = run.cluster().primary();
    let first_replica = run.cluster().replicas()[0];
    let (writes_before, reads_before) = (
        statements_per_s(run.cluster(), primary, 8),
        statements_per_s(run.cluster(), first_replica, 8),
    );
    play(&mut run, &lesson.steps[0].show, "add replicas");
    let (writes_after, reads_after) = (
        statements_per_s(run.cluster(), primary, 8),
        statements_per_s(run.cluster(), first_replica, 8),
    );
    assert!(writes_before > 50.0, "the primary takes the load's writes: {writes_before}/s");
    let writes_change = (writes_after - writes_before).abs() / writes_before;
    assert!(writes_change < 0.2, "writes/s {writes_before:.0} -> {writes_after:.0}");
    let share = reads_after / reads_before;
    assert!(
        (0.2..0.5).contains(&share),
        "reads/s per replica {reads_before:.0} -> {reads_after:.0}"
    );
}

#[test]
fn a_rehearsal_plays_every_show_me_and_reports_each_step() {
    let lessons = all();
    let lesson = &lessons[position(&lessons, "read-after-write").unwrap_or_else(|e| panic!("{e}"))];
    let (transcript, all_done) = lesson.rehearse();
    assert!(all_done, "{transcript}");
    assert_eq!(transcript.matches(" — done\n").count(), lesson.steps.len(), "{transcript}");
    assert!(transcript.contains("## step 4: Answer 3: the version check"), "{transcript}");
}

/// The mean of a node's CPU use (0..=1) over its last `seconds` samples.
fn cpu(cluster: &Cluster, node: NodeId, seconds: usize) -> f64 {
    let points: Vec<f64> =
        cluster.metrics().node(node).cpu.points().rev().take(seconds).map(|p| p.1).collect();
    points.iter().sum::<f64>() / points.len().max(1) as f64
}

/// The read-scaling lesson's teaching moment: the heavy report on the primary costs it CPU;
/// routed to the replicas, the primary's CPU falls and the replicas' rises.
#[test]
fn moving_the_heavy_query_to_the_replicas_unloads_the_primary() {
    let lessons = all();
    let lesson = &lessons[position(&lessons, "read-scaling").unwrap_or_else(|e| panic!("{e}"))];
    let (mut run, _) = open(lesson);
    play(&mut run, &lesson.steps[0].show, "heavy on the primary");
    let (primary, replica) = (run.cluster().primary(), run.cluster().replicas()[0]);
    let before = (cpu(run.cluster(), primary, 6), cpu(run.cluster(), replica, 6));
    play(&mut run, &lesson.steps[1].show, "heavy on the replicas");
    let after = (cpu(run.cluster(), primary, 6), cpu(run.cluster(), replica, 6));
    assert!(before.0 > 2.0 * after.0, "primary CPU {:.2} -> {:.2}", before.0, after.0);
    assert!(after.1 > before.1, "replica CPU {:.2} -> {:.2}", before.1, after.1);
}

/// The traffic-10× lesson's teaching moment: ten times the traffic on one primary multiplies
/// its CPU; moving the reads to the replicas (move 2) takes almost all of it away.
#[test]
fn ten_times_the_traffic_loads_the_primary_until_the_reads_move() {
    let lessons = all();
    let lesson = &lessons[position(&lessons, "traffic-10x").unwrap_or_else(|e| panic!("{e}"))];
    let (mut run, _) = open(lesson);
    let primary = run.cluster().primary();
    let before = cpu(run.cluster(), primary, 4);
    play(&mut run, &lesson.steps[0].show, "traffic x10");
    let tenfold = cpu(run.cluster(), primary, 8);
    play(&mut run, &lesson.steps[1].show, "add replicas");
    play(&mut run, &lesson.steps[2].show, "reads through the router");
    let moved = cpu(run.cluster(), primary, 8);
    assert!(tenfold > 3.0 * before && tenfold > 0.5, "primary CPU {before:.2} -> {tenfold:.2}");
    assert!(moved < 0.2, "primary CPU after the reads moved: {moved:.2}");
}
