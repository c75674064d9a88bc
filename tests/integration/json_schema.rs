//! A JSON Schema (draft-04) validator for the keywords nbformat's notebook schema uses, so the
//! notebook tests check notebooks against nbformat's own schema without a large dependency
//! (a general validator crate took longer to compile than the rest of the tests together).
//!
//! It follows the draft-04 rules for each keyword it knows. A schema using a validation keyword
//! it does not know is refused when the validator is made, so a constraint is never skipped
//! silently; annotations (`description`, …) and the few misplaced keys of nbformat's schema
//! (which the draft says to ignore, as every validator does) are listed as ignored.

use regex_lite::Regex;
use serde_json::{Map, Value};

/// The keywords checked below.
const VALIDATION: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "properties",
    "patternProperties",
    "additionalProperties",
    "required",
    "items",
    "uniqueItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "oneOf",
    "not",
];

/// Keys that constrain nothing: annotations, and nbformat's misplaced keys (`item` beside
/// `items`, `source_hidden` beside `properties`), which draft-04 says to ignore.
const IGNORED: &[&str] = &[
    "$schema",
    "description",
    "definitions",
    "title",
    "default",
    "item",
    "source_hidden",
    "outputs_hidden",
];

pub struct Validator {
    root: Value,
}

impl Validator {
    /// Panics if the schema uses a keyword this validator does not check, or a `$ref` that does
    /// not resolve.
    pub fn new(root: Value) -> Self {
        let validator = Validator { root };
        validator.check_schema(&validator.root, &mut Vec::new());
        validator
    }

    pub fn errors(&self, instance: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.validate(&self.root, instance, "", &mut errors);
        errors
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.errors(instance).is_empty()
    }

    /// Every schema reachable from `schema` uses known keywords only.
    fn check_schema<'a>(&'a self, schema: &'a Value, seen: &mut Vec<&'a str>) {
        let Some(schema) = schema.as_object() else {
            assert!(schema.is_boolean(), "a schema is an object: {schema}");
            return;
        };
        for (key, value) in schema {
            assert!(
                VALIDATION.contains(&key.as_str()) || IGNORED.contains(&key.as_str()),
                "the schema uses `{key}`, which this validator does not check"
            );
            match key.as_str() {
                "$ref" => {
                    let reference = value.as_str().unwrap();
                    if !seen.contains(&reference) {
                        seen.push(reference);
                        self.check_schema(self.resolve(reference), seen);
                    }
                }
                "properties" | "patternProperties" => {
                    for (name, schema) in value.as_object().unwrap() {
                        if key == "patternProperties" {
                            Regex::new(name).expect("a pattern the regex crate reads");
                        }
                        self.check_schema(schema, seen);
                    }
                }
                "pattern" => {
                    Regex::new(value.as_str().unwrap()).expect("a pattern the regex crate reads");
                }
                "additionalProperties" | "items" | "not" => self.check_schema(value, seen),
                "oneOf" => {
                    for schema in value.as_array().unwrap() {
                        self.check_schema(schema, seen);
                    }
                }
                _ => {}
            }
        }
    }

    /// A local reference `#/definitions/…` (a JSON pointer into the root).
    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("`{reference}` names nothing in the schema"))
    }

    fn validate(&self, schema: &Value, instance: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return errors.push(format!("{at}: no value is allowed here")),
            Value::Object(schema) => schema,
            _ => unreachable!("checked in `new`"),
        };
        // In draft-04 a `$ref` replaces the schema it stands in.
        if let Some(reference) = schema.get("$ref") {
            return self.validate(
                self.resolve(reference.as_str().unwrap()),
                instance,
                at,
                errors,
            );
        }
        let mut fail = |message: String| errors.push(format!("{at}: {message}"));
        if let Some(types) = schema.get("type") {
            let allowed: Vec<&str> = match types {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().map(|t| t.as_str().unwrap()).collect(),
                _ => panic!("`type` is a name or a list of names"),
            };
            if !allowed.iter().any(|&t| has_type(instance, t)) {
                fail(format!("{instance} is not of type {allowed:?}"));
            }
        }
        if let Some(choices) = schema.get("enum")
            && !choices.as_array().unwrap().contains(instance)
        {
            fail(format!("{instance} is not one of {choices}"));
        }
        if let Some(number) = instance.as_f64().filter(|_| instance.is_number()) {
            if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
                && number < minimum
            {
                fail(format!("{number} is below the minimum {minimum}"));
            }
            if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
                && number > maximum
            {
                fail(format!("{number} is above the maximum {maximum}"));
            }
        }
        if let Some(text) = instance.as_str() {
            let length = text.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                && length < min
            {
                fail(format!("{instance} is shorter than {min}"));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && length > max
            {
                fail(format!("{instance} is longer than {max}"));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && !Regex::new(pattern).unwrap().is_match(text)
            {
                fail(format!("{instance} does not match /{pattern}/"));
            }
        }
        if let Some(object) = instance.as_object() {
            self.validate_object(schema, object, at, errors);
        }
        if let Some(items) = instance.as_array() {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    self.validate(item_schema, item, &format!("{at}/{index}"), errors);
                }
            }
            if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (index, item) in items.iter().enumerate() {
                    if items[..index].contains(item) {
                        errors.push(format!("{at}/{index}: {item} appears twice"));
                    }
                }
            }
        }
        if let Some(choices) = schema.get("oneOf") {
            let matching = choices
                .as_array()
                .unwrap()
                .iter()
                .filter(|choice| {
                    let mut choice_errors = Vec::new();
                    self.validate(choice, instance, at, &mut choice_errors);
                    choice_errors.is_empty()
                })
                .count();
            if matching != 1 {
                errors.push(format!(
                    "{at}: matches {matching} of `oneOf`, not exactly 1"
                ));
            }
        }
        if let Some(forbidden) = schema.get("not") {
            let mut forbidden_errors = Vec::new();
            self.validate(forbidden, instance, at, &mut forbidden_errors);
            if forbidden_errors.is_empty() {
                errors.push(format!("{at}: matches a schema under `not`"));
            }
        }
    }

    fn validate_object(
        &self,
        schema: &Map<String, Value>,
        object: &Map<String, Value>,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        if let Some(required) = schema.get("required") {
            for name in required.as_array().unwrap() {
                let name = name.as_str().unwrap();
                if !object.contains_key(name) {
                    errors.push(format!("{at}: `{name}` is required"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let patterns: Vec<(Regex, &Value)> = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(pattern, schema)| (Regex::new(pattern).unwrap(), schema))
            .collect();
        for (name, value) in object {
            let at = format!("{at}/{name}");
            let mut described = false;
            if let Some(schema) = properties.and_then(|properties| properties.get(name)) {
                described = true;
                self.validate(schema, value, &at, errors);
            }
            for (pattern, schema) in &patterns {
                if pattern.is_match(name) {
                    described = true;
                    self.validate(schema, value, &at, errors);
                }
            }
            if !described && let Some(additional) = schema.get("additionalProperties") {
                self.validate(additional, value, &at, errors);
            }
        }
    }
}

/// Draft-04's types; an integer is a number without a fractional part in JSON's text.
fn has_type(instance: &Value, name: &str) -> bool {
    match name {
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "string" => instance.is_string(),
        "number" => instance.is_number(),
        "integer" => instance.is_i64() || instance.is_u64(),
        "boolean" => instance.is_boolean(),
        "null" => instance.is_null(),
        other => panic!("no JSON type `{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Validator;

    fn validator() -> Validator {
        Validator::new(json!({
            "type": "object",
            "required": ["cells"],
            "additionalProperties": false,
            "properties": {
                "cells": { "type": "array", "items": { "$ref": "#/definitions/cell" } },
                "tags": { "type": "array", "uniqueItems": true, "items": { "type": "string" } },
                "count": { "type": ["integer", "null"], "minimum": 0, "maximum": 9 }
            },
            "patternProperties": { "^x-": { "type": "string", "pattern": "^[a-z]+$" } },
            "definitions": {
                "cell": { "oneOf": [
                    { "type": "object", "required": ["code"], "properties": { "code": { "type": "string", "minLength": 1 } } },
                    { "type": "object", "required": ["text"], "properties": { "kind": { "not": { "enum": ["code"] } } } }
                ] }
            }
        }))
    }

    #[test]
    fn a_valid_document_has_no_errors() {
        let document = json!({ "cells": [{ "code": "x" }, { "text": "t", "kind": "prose" }],
            "tags": ["a", "b"], "count": 3, "x-name": "abc" });
        assert_eq!(validator().errors(&document), Vec::<String>::new());
        assert!(validator().is_valid(&json!({ "cells": [], "count": null })));
    }

    #[test]
    fn each_keyword_catches_its_fault() {
        let validator = validator();
        for (document, fault) in [
            (json!({}), "`cells` is required"),
            (json!({ "cells": [], "other": 1 }), "no value is allowed"),
            (json!({ "cells": [{}] }), "matches 0 of `oneOf`"),
            (
                json!({ "cells": [{ "code": "x", "text": "t" }] }),
                "matches 2 of `oneOf`",
            ),
            (json!({ "cells": [{ "code": "" }] }), "matches 0 of `oneOf`"),
            (
                json!({ "cells": [{ "text": "t", "kind": "code" }] }),
                "matches 0",
            ),
            (json!({ "cells": [], "tags": ["a", "a"] }), "appears twice"),
            (json!({ "cells": [], "count": 1.5 }), "is not of type"),
            (json!({ "cells": [], "count": 10 }), "above the maximum"),
            (json!({ "cells": [], "count": -1 }), "below the minimum"),
            (json!({ "cells": [], "x-name": "ABC" }), "does not match"),
            (json!({ "cells": "none" }), "is not of type"),
        ] {
            let errors = validator.errors(&document);
            assert!(
                errors.iter().any(|error| error.contains(fault)),
                "{document}: expected “{fault}”, got {errors:?}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "does not check")]
    fn an_unknown_keyword_is_refused() {
        Validator::new(json!({ "type": "object", "propertyNames": { "pattern": "^a" } }));
    }
}
