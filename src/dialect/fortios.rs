//! FortiOS parser (placeholder until implemented).
use super::ParseError;
use crate::model::Device;

pub fn parse(file: &str, _text: &str) -> Result<Device, ParseError> {
    Err(ParseError {
        file: file.into(),
        line: 1,
        message: "fortios parser not implemented".into(),
    })
}
