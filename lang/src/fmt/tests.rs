use super::format;

#[track_caller]
fn check(input: &str, expected: &str) {
    let formatted = format(input).expect("input parses");
    assert_eq!(formatted, expected, "\n--- got ---\n{formatted}");
    assert_eq!(format(&formatted).unwrap(), formatted, "formatting is idempotent");
}

#[test]
fn aligns_indents_and_splits_lines() {
    check(
        "network \"app\" { cloud = cloud.aws.prod  cidr=\"10.0.0.0/16\"\nsubnet \"a\" { cidr = cidrsubnet( self.cidr,8,1 ) }\n}\n",
        "network \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n  subnet \"a\" {\n    cidr = cidrsubnet(self.cidr, 8, 1)\n  }\n}\n",
    );
}

#[test]
fn keeps_comments_and_one_blank_line() {
    check(
        "# top\n\n\n\nstack \"s\" { # why\n  # lead\n  description = \"x\" // trailing\n\n  /* block */\n  tags = {}\n}\n# end\n",
        "# top\n\nstack \"s\" { # why\n  # lead\n  description = \"x\" // trailing\n\n  /* block */\n  tags = {}\n}\n# end\n",
    );
}

#[test]
fn alignment_runs_break_at_blank_lines_and_blocks() {
    check(
        "locals {\n  a = 1\n  long_name = 2\n\n  b = 3\n}\n",
        "locals {\n  a         = 1\n  long_name = 2\n\n  b = 3\n}\n",
    );
}

#[test]
fn multi_line_lists_and_objects_one_item_per_line() {
    check(
        "locals {\n  l = [1,\n  2 # two\n  ]\n  o = { a = 1\n  bb: 2 }\n}\n",
        "locals {\n  l = [\n    1,\n    2, # two\n  ]\n  o = {\n    a  = 1\n    bb = 2\n  }\n}\n",
    );
}

#[test]
fn heredocs_are_untouched() {
    let text = "locals {\n  h = <<-EOT\n      keep   this\n    EOT\n}\n";
    check(text, text);
}

#[test]
fn other_multi_line_expressions_move_with_their_first_line() {
    check(
        "locals {\n      m = merge(\n        local.a,\n        local.b,\n      )\n}\n",
        "locals {\n  m = merge(\n    local.a,\n    local.b,\n  )\n}\n",
    );
}

#[test]
fn refuses_invalid_input() {
    assert!(format("a = = 1").is_err());
}

#[test]
fn trailing_comments_of_a_run_line_up() {
    check(
        "tunnel \"t\" {\n  routing = \"bgp\" # one\n  ha = true # two\n}\n",
        "tunnel \"t\" {\n  routing = \"bgp\" # one\n  ha      = true  # two\n}\n",
    );
}
