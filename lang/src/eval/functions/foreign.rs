//! Other tools' functions that Isopod does not have: what to write instead. The table is part of
//! the book's functions reference.

/// A function of another tool, and what an Isopod configuration uses instead.
pub struct ForeignFunction {
    /// Its name in the other tool, e.g. `timestamp`.
    pub name: &'static str,
    /// The tool, e.g. `Terraform`.
    pub from: &'static str,
    /// What to write instead, or why Isopod has no such function (Markdown).
    pub instead: &'static str,
}

macro_rules! foreign {
    ($($($name:literal)|+ ($from:literal) => $instead:expr;)+) => {
        &[$($(ForeignFunction { name: $name, from: $from, instead: $instead },)+)+]
    };
}

const CLOCK: &str = "a configuration means the same at every run, so Isopod has no clock";
const RANDOM: &str = "a configuration means the same at every run, so Isopod has no randomness; the planner generates and keeps what must be random (pre-shared keys, inside addresses)";
const FILES: &str = "read a file relative to the configuration with `file(path)`";
const ENCODING: &str = "attributes take values, not encoded documents; write the value itself";
const HASHES: &str = "Isopod has no hash functions; names and tags take the text itself";

/// Other tools' functions, by name. A name Isopod has under another name says so; the rest say
/// what to write instead.
pub static FOREIGN_FUNCTIONS: &[ForeignFunction] = foreign! {
    "timestamp" | "plantimestamp" | "formatdate" | "timeadd" | "timecmp" ("Terraform") => CLOCK;
    "uuid" | "uuidv5" | "bcrypt" ("Terraform") => RANDOM;
    "uniqueString" | "newGuid" | "utcNow" ("Bicep") => RANDOM;
    "templatefile" | "fileexists" | "fileset" | "filebase64" | "abspath" | "dirname" | "basename" | "pathexpand" ("Terraform") => FILES;
    "jsonencode" | "jsondecode" | "yamlencode" | "yamldecode" | "csvdecode" | "base64encode" | "base64decode" | "urlencode" | "textencodebase64" | "textdecodebase64" ("Terraform") => ENCODING;
    "md5" | "sha1" | "sha256" | "sha512" | "base64sha256" | "base64sha512" | "filemd5" | "filesha256" ("Terraform") => HASHES;
    "try" | "can" ("Terraform") => "Isopod reports every error rather than hiding one; for an optional value use `lookup(object, key, default)` or `coalesce(...)`";
    "regex" | "regexall" ("Terraform") => "Isopod has no regular expressions; use `startswith`, `endswith`, `strcontains`, `split` or `replace`";
    "sensitive" | "nonsensitive" ("Terraform") => "a secret comes from `secret(\"NAME\")` and is never shown; no other value is secret";
    "formatlist" ("Terraform") => "use a `for` expression: `[for x in list : format(spec, x)]`";
    "type" ("Terraform") => "Isopod checks each attribute's type for you; the error names the type found";
    "len" ("Python") => "Isopod calls this `length`";
    "str" ("Python") => "Isopod calls this `tostring`";
    "int" ("Bicep and Python") => "Isopod calls this `tonumber`";
    "string" ("Bicep") => "Isopod calls this `tostring`";
    "bool" ("Bicep") => "Isopod calls this `tobool`";
    "toLower" ("Bicep") => "Isopod calls this `lower`";
    "toUpper" ("Bicep") => "Isopod calls this `upper`";
    "substring" ("Bicep") => "Isopod calls this `substr`";
    "union" ("Bicep") => "Isopod calls this `setunion` for lists and `merge` for objects";
    "intersection" ("Bicep") => "Isopod calls this `setintersection`";
    "empty" ("Bicep") => "write `length(value) == 0`";
    "first" ("Bicep") => "write `list[0]`";
    "last" ("Bicep") => "write `list[length(list) - 1]`";
    "resourceGroup" | "subscription" ("Bicep") => "the `cloud \"azure\"` block names the subscription and resource group";
};

/// The hint for a function that another tool has and Isopod does not.
pub fn hint(name: &str) -> Option<String> {
    let foreign = FOREIGN_FUNCTIONS.iter().find(|f| f.name == name)?;
    Some(format!("`{name}` is {}'s: {}", foreign.from, foreign.instead))
}
