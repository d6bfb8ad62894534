//! `dpconform schema`: prints the JSON Schema of the case format, for editors.

use super::EXIT_OK;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dpconform schema > case.schema.json     then, in VS Code's settings.json:\n  \
    \"json.schemas\": [{ \"fileMatch\": [\"cases/**/*.json\"], \"url\": \"./case.schema.json\" }]\n\n\
    Or name it in a case file: \"$schema\": \"../../case.schema.json\" (dpconform ignores the key).")]
pub struct SchemaArgs {}

pub fn schema(_: SchemaArgs) -> u8 {
    let text = serde_json::to_string_pretty(&dpconform::case::schema::case_schema()).unwrap_or_default();
    crate::outln!("{text}");
    EXIT_OK
}
