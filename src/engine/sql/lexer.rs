//! The lexer: SQL text to tokens, PostgreSQL's rules.
//!
//! ```text
//!   SELECT * FROM "Orders" WHERE note = 'it''s' -- why
//!   ──────   ─ ──── ──────── ───── ──── ─ ───────
//!   Word     Op Word Quoted   Word  Word Op String      (comments and spaces skipped)
//! ```
//!
//! - Words are identifiers or keywords; the parser decides which. They keep their text as
//!   written (for `syntax error at or near "SELEC"`) and fold to lower case when used as names.
//! - `"quoted"` identifiers keep their case; `""` inside is one `"`.
//! - Strings: `'…'` (`''` is one quote), `E'…'` with backslash escapes, `$$…$$` and `$tag$…$tag$`.
//! - Numbers: `42`, `1.5`, `.5`, `1e-3`. Parameters: `$1`.
//! - Operators are PostgreSQL's runs of `+ - * / < > = ~ ! @ # % ^ & | ` ?`: a run ends
//!   before `--` or `/*`, and a run of several characters does not end in `+` or `-` unless it
//!   holds one of `~ ! @ # % ^ & | ` ?` (so `x=-1` is `x = -1`).
//! - Comments: `-- to the end of the line`, `/* nested /* block */ comments */`.
//!
//! Every token records the character (not byte) position it starts at, 0-based in the whole
//! input, for PostgreSQL's error positions.
//!
//! The lexer reads bytes (a character is decoded only where a byte is not ASCII), and a token's
//! text borrows the input wherever it is written as is: only strings and quoted identifiers
//! with a doubled quote or an escape own their value. Positions are byte offsets while
//! cutting, turned into character positions at the end when the input is not ASCII.

use super::error::SqlError;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword, as written.
    Word,
    /// A double-quoted identifier; its text is the identifier, unquoted.
    Quoted,
    /// A string literal; its text is the value.
    String,
    /// A number, as written.
    Number,
    /// `$1`.
    Param,
    /// An operator or punctuation: `(`, `)`, `,`, `;`, `.`, `::`, `<=`, `||`, `+`, …
    Op,
}

/// One token; its text may borrow the input `'a`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    /// The text: as written for words, numbers and operators; the value for strings and
    /// quoted identifiers.
    pub text: Text<'a>,
    /// 0-based character position where it starts.
    pub pos: usize,
    /// 0-based character position just past its end (for `syntax error at end of input`).
    pub end: usize,
}

impl Token<'_> {
    /// Whether it is the keyword `word` (a word, compared case-insensitively).
    pub fn is_keyword(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.as_bytes().eq_ignore_ascii_case(word.as_bytes())
    }

    /// Whether it is the operator or punctuation `op`.
    #[inline]
    pub fn is_op(&self, op: &str) -> bool {
        // Most operators asked about are one byte: compared without a call to memcmp.
        self.kind == Kind::Op
            && match (self.text.as_bytes(), op.as_bytes()) {
                ([text], [op]) => text == op,
                (text, op) => text == op,
            }
    }

    /// The token as PostgreSQL quotes it in `syntax error at or near "…"`.
    pub fn near(&self) -> String {
        match self.kind {
            Kind::String => format!("'{}'", self.text.replace('\'', "''")),
            Kind::Quoted => format!("\"{}\"", self.text.replace('"', "\"\"")),
            _ => self.text.to_string(),
        }
    }
}

/// A token's text: a slice of the input (almost every token: keywords, names, numbers,
/// punctuation, plain strings), or a value of its own (a string with `''` or escapes).
#[derive(Clone, PartialEq, Eq)]
pub enum Text<'a> {
    Input(&'a str),
    Owned(Box<str>),
}

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Text::Input(text) => text,
            Text::Owned(text) => text,
        }
    }
}

impl AsRef<[u8]> for Text<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bytes PostgreSQL builds operators from.
const OPERATOR_BYTES: &[u8] = b"+-*/<>=~!@#%^&|`?";

/// Bytes that let a multi-character operator end in `+` or `-`.
const OPERATOR_SPECIAL: &[u8] = b"~!@#%^&|`?";

/// Cuts `text` into tokens.
#[cfg(test)]
pub fn tokenize(text: &str) -> Result<Vec<Token<'_>>, SqlError> {
    let mut tokens = Vec::new();
    tokenize_into(text, text.is_ascii(), &mut tokens)?;
    Ok(tokens)
}

/// [`tokenize`] into `tokens` (cleared first). `ascii` says whether `text` is ASCII (the
/// caller has asked already).
pub fn tokenize_into<'a>(
    text: &'a str,
    ascii: bool,
    tokens: &mut Vec<Token<'a>>,
) -> Result<(), SqlError> {
    debug_assert_eq!(ascii, text.is_ascii());
    tokens.clear();
    // About one token for every five or six characters of SQL: room for most without
    // regrowing, and for a short statement's few enough to come from malloc's fast cache.
    tokens.reserve(text.len() / 6 + 4);
    let mut lexer =
        Lexer { text, bytes: text.as_bytes(), ascii, at: 0, tokens: std::mem::take(tokens) };
    let result = lexer.run();
    *tokens = lexer.tokens;
    if !ascii {
        count_characters(text, tokens);
    }
    result
}

/// Turns the tokens' byte offsets into character positions (in order: each counts on from
/// the last).
fn count_characters(text: &str, tokens: &mut [Token]) {
    let (mut byte, mut chars) = (0, 0);
    let mut to_chars = |offset: usize| {
        chars += text[byte..offset].chars().count();
        byte = offset;
        chars
    };
    for token in tokens {
        token.pos = to_chars(token.pos);
        token.end = to_chars(token.end);
    }
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    ascii: bool,
    /// Byte offset of the next character (always at a character's start).
    at: usize,
    tokens: Vec<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) -> Result<(), SqlError> {
        while let Some(b) = self.byte(0) {
            let start = self.at;
            match b {
                // Form feed and vertical tab are white space to PostgreSQL as well.
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => self.at += 1,
                b'-' if self.byte(1) == Some(b'-') => self.line_comment(),
                b'/' if self.byte(1) == Some(b'*') => self.block_comment()?,
                b'\'' => self.string(start, false)?,
                b'e' | b'E' if self.byte(1) == Some(b'\'') => {
                    self.at += 1;
                    self.string(start, true)?;
                }
                b'n' | b'N' if self.byte(1) == Some(b'\'') => {
                    self.at += 1; // N'…': a national character string, the same value here
                    self.string(start, false)?;
                }
                b'"' => self.quoted_identifier(start)?,
                b'$' => self.dollar(start)?,
                b'0'..=b'9' => self.number(start),
                b'.' if self.byte(1).is_some_and(|b| b.is_ascii_digit()) => self.number(start),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(start),
                b'(' | b')' | b',' | b';' | b'[' | b']' | b'.' => {
                    self.at += 1;
                    self.push(Kind::Op, start);
                }
                b':' => {
                    self.at += if self.byte(1) == Some(b':') { 2 } else { 1 };
                    self.push(Kind::Op, start);
                }
                b if OPERATOR_BYTES.contains(&b) => self.operator(start),
                b if b.is_ascii() => return Err(self.unexpected(char::from(b), start)),
                _ => self.non_ascii(start)?,
            }
        }
        Ok(())
    }

    /// A character that is not ASCII: a letter starts a word; other white space (Unicode
    /// spaces) is skipped.
    fn non_ascii(&mut self, start: usize) -> Result<(), SqlError> {
        let c = self.char_here().expect("the lexer stops only at a character's start");
        if c.is_alphabetic() {
            self.word(start);
        } else if c.is_whitespace() {
            self.at += c.len_utf8();
        } else {
            return Err(self.unexpected(c, start));
        }
        Ok(())
    }

    fn unexpected(&self, c: char, start: usize) -> SqlError {
        SqlError::syntax_near(&c.to_string()).at(Some(self.char_pos(start) + 1))
    }

    fn byte(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// The character at the next byte.
    fn char_here(&self) -> Option<char> {
        self.text.get(self.at..).and_then(|rest| rest.chars().next())
    }

    /// The character position of byte offset `offset` (for errors, which stop the lexer).
    fn char_pos(&self, offset: usize) -> usize {
        match self.ascii {
            true => offset,
            false => self.text[..offset].chars().count(),
        }
    }

    /// A token of the input from `start` to the next byte.
    fn push(&mut self, kind: Kind, start: usize) {
        let text = Text::Input(&self.text[start..self.at]);
        self.push_text(kind, text, start);
    }

    fn push_text(&mut self, kind: Kind, text: Text<'a>, start: usize) {
        self.tokens.push(Token { kind, text, pos: start, end: self.at });
    }

    fn line_comment(&mut self) {
        let rest = &self.bytes[self.at..];
        self.at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    }

    fn block_comment(&mut self) -> Result<(), SqlError> {
        let start = self.at;
        let mut depth = 0usize;
        loop {
            match (self.byte(0), self.byte(1)) {
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    self.at += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.at += 2;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                // Bytes of a multi-byte character are never `/` or `*`: stepped over one by one.
                (Some(_), _) => self.at += 1,
                (None, _) => {
                    let near: String = self.text[start..].chars().take(40).collect();
                    return Err(SqlError::new(
                        "42601",
                        format!("unterminated /* comment at or near \"{near}\""),
                    )
                    .at(Some(self.char_pos(start) + 1)));
                }
            }
        }
    }

    /// `'…'` (at the quote), with backslash escapes for `E'…'`.
    fn string(&mut self, start: usize, escapes: bool) -> Result<(), SqlError> {
        self.at += 1; // the opening quote
        let value =
            self.quoted(b'\'', escapes).ok_or_else(|| self.unterminated("quoted string", start))?;
        self.push_text(Kind::String, value, start);
        Ok(())
    }

    /// The value of a quoted text whose opening `quote` was read, up to its closing one: a
    /// doubled quote is one, and with `escapes` a backslash escapes the character after it.
    /// None if it does not end. Most hold neither: their value is a slice of the input.
    fn quoted(&mut self, quote: u8, escapes: bool) -> Option<Text<'a>> {
        let mut owned: Option<String> = None;
        let mut run = self.at; // where the text not yet copied starts
        loop {
            let special = |b: &u8| *b == quote || (escapes && *b == b'\\');
            let found = self.at + self.bytes[self.at..].iter().position(special)?;
            let doubled = self.bytes.get(found + 1) == Some(&quote);
            if self.bytes[found] == quote && !doubled {
                self.at = found + 1;
                let last = &self.text[run..found];
                return Some(match owned {
                    None => Text::Input(last),
                    Some(mut value) => {
                        value.push_str(last);
                        Text::Owned(value.into_boxed_str())
                    }
                });
            }
            let copied = owned.get_or_insert_with(String::new);
            if self.bytes[found] == quote {
                copied.push_str(&self.text[run..=found]); // the text and one quote
                self.at = found + 2;
            } else {
                copied.push_str(&self.text[run..found]);
                self.at = found + 1;
                let escaped = self.char_here()?;
                self.at += escaped.len_utf8();
                copied.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    other => other,
                });
            }
            run = self.at;
        }
    }

    fn unterminated(&self, what: &str, start: usize) -> SqlError {
        let near: String = self.text[start..].chars().take(40).collect();
        SqlError::new("42601", format!("unterminated {what} at or near \"{near}\""))
            .at(Some(self.char_pos(start) + 1))
    }

    fn quoted_identifier(&mut self, start: usize) -> Result<(), SqlError> {
        self.at += 1;
        let name = self
            .quoted(b'"', false)
            .ok_or_else(|| self.unterminated("quoted identifier", start))?;
        if name.is_empty() {
            return Err(SqlError::new(
                "42601",
                "zero-length delimited identifier at or near \"\"\"\"",
            )
            .at(Some(self.char_pos(start) + 1)));
        }
        self.push_text(Kind::Quoted, name, start);
        Ok(())
    }

    /// `$1` (a parameter), or a dollar-quoted string `$$…$$` / `$tag$…$tag$`.
    fn dollar(&mut self, start: usize) -> Result<(), SqlError> {
        if self.byte(1).is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
            self.skip_digits();
            self.push(Kind::Param, start);
            return Ok(());
        }
        self.at += 1;
        while let Some(c) = self.char_here().filter(|&c| is_word_char(c) && c != '$') {
            self.at += c.len_utf8();
        }
        if self.byte(0) != Some(b'$') {
            return Err(SqlError::syntax_near("$").at(Some(self.char_pos(start) + 1)));
        }
        let tag = &self.text[start..=self.at];
        let body = self.at + 1;
        match self.text[body..].find(tag) {
            Some(length) => {
                self.at = body + length + tag.len();
                let value = Text::Input(&self.text[body..body + length]);
                self.push_text(Kind::String, value, start);
                Ok(())
            }
            None => {
                self.at = self.text.len();
                Err(self.unterminated("dollar-quoted string", start))
            }
        }
    }

    fn skip_digits(&mut self) {
        while self.byte(0).is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn number(&mut self, start: usize) {
        self.skip_digits();
        if self.byte(0) == Some(b'.') && self.byte(1) != Some(b'.') {
            self.at += 1;
            self.skip_digits();
        }
        if matches!(self.byte(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.byte(1), Some(b'+' | b'-')));
            if self.byte(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                self.at += 1 + sign;
                self.skip_digits();
            }
        }
        self.push(Kind::Number, start);
    }

    fn word(&mut self, start: usize) {
        loop {
            match self.byte(0) {
                Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' => self.at += 1,
                Some(b) if !b.is_ascii() => {
                    match self.char_here().filter(|c| c.is_alphanumeric()) {
                        Some(c) => self.at += c.len_utf8(),
                        None => break,
                    }
                }
                _ => break,
            }
        }
        self.push(Kind::Word, start);
    }

    fn operator(&mut self, start: usize) {
        let mut end = self.at;
        while self.bytes.get(end).is_some_and(|b| OPERATOR_BYTES.contains(b)) {
            // A comment starts inside the run: the operator ends before it.
            let next = self.bytes.get(end + 1).copied();
            if end > self.at
                && matches!((self.bytes[end], next), (b'-', Some(b'-')) | (b'/', Some(b'*')))
            {
                break;
            }
            end += 1;
        }
        // A multi-character operator ends in + or - only if it holds a special character.
        let run = &self.bytes[self.at..end];
        let mut len = run.len();
        if len > 1 && !run.iter().any(|b| OPERATOR_SPECIAL.contains(b)) {
            while len > 1 && matches!(run[len - 1], b'+' | b'-') {
                len -= 1;
            }
        }
        self.at += len;
        self.push(Kind::Op, start);
    }
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_' || c == '$';
    }
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        tokenize(text).expect("lexes").into_iter().map(|t| (t.kind, t.text.to_string())).collect()
    }

    #[test]
    fn texts_written_as_they_are_borrow_the_input() {
        let tokens = tokenize("SELECT 'héllo', \"Ñame\", $t$x$t$, 'it''s', E'a\\nb', \"a\"\"b\"")
            .expect("lexes");
        let borrowed: Vec<bool> = tokens
            .iter()
            .filter(|t| t.kind != Kind::Op)
            .map(|t| matches!(t.text, Text::Input(_)))
            .collect();
        assert_eq!(borrowed, [true, true, true, true, false, false, false]);
        let text = format!("'{}'", "long ".repeat(20));
        let long = tokenize(&text).expect("lexes");
        assert_eq!(long[0].text.len(), 100);
    }

    #[test]
    fn text_that_is_not_ascii_is_cut_by_characters() {
        use Kind::*;
        assert_eq!(
            kinds("SELECT ñame, $é$dollar é$é$, 'ü''x', E'\\é', \"Ωmega\" FROM t\u{a0}AS x"),
            vec![
                (Word, "SELECT".into()),
                (Word, "ñame".into()),
                (Op, ",".into()),
                (String, "dollar é".into()),
                (Op, ",".into()),
                (String, "ü'x".into()),
                (Op, ",".into()),
                (String, "é".into()),
                (Op, ",".into()),
                (Quoted, "Ωmega".into()),
                (Word, "FROM".into()),
                (Word, "t".into()),
                (Word, "AS".into()),
                (Word, "x".into()),
            ]
        );
        let tokens = tokenize("é1 'ü' ü").expect("lexes");
        let spans: Vec<(usize, usize)> = tokens.iter().map(|t| (t.pos, t.end)).collect();
        assert_eq!(spans, [(0, 2), (3, 6), (7, 8)]);
        let error = tokenize("SELECT 'é', €").expect_err("not a token");
        assert_eq!(
            (error.message.as_str(), error.position),
            ("syntax error at or near \"€\"", Some(13))
        );
        let error = tokenize("SELECT 'é', 'open").expect_err("unterminated");
        assert_eq!(error.position, Some(13));
        assert_eq!(kinds("a\u{b}\u{c}b"), vec![(Word, "a".into()), (Word, "b".into())]);
    }

    #[test]
    fn plain_strings_read_as_those_with_quotes_or_escapes_do() {
        use Kind::*;
        let strings = kinds("'héllo', 'a''', '''', E'x', E'a\\'b', '', 'ascii and more'");
        let values: Vec<&str> =
            strings.iter().filter(|(k, _)| *k == String).map(|(_, t)| t.as_str()).collect();
        assert_eq!(values, ["héllo", "a'", "'", "x", "a'b", "", "ascii and more"]);
        assert!(tokenize("SELECT 'abc").is_err(), "unterminated");
        assert!(tokenize("SELECT 'abc''").is_err(), "a doubled quote does not end it");
    }

    #[test]
    fn words_strings_numbers_and_operators() {
        use Kind::*;
        assert_eq!(
            kinds(
                "SELECT \"Or\"\"ders\".x, 'it''s', E'a\\nb', $q$dollar's$q$, 1.5e3, .5 FROM t -- c"
            ),
            vec![
                (Word, "SELECT".into()),
                (Quoted, "Or\"ders".into()),
                (Op, ".".into()),
                (Word, "x".into()),
                (Op, ",".into()),
                (String, "it's".into()),
                (Op, ",".into()),
                (String, "a\nb".into()),
                (Op, ",".into()),
                (String, "dollar's".into()),
                (Op, ",".into()),
                (Number, "1.5e3".into()),
                (Op, ",".into()),
                (Number, ".5".into()),
                (Word, "FROM".into()),
                (Word, "t".into()),
            ]
        );
        assert_eq!(
            kinds("x=-1"),
            vec![(Word, "x".into()), (Op, "=".into()), (Op, "-".into()), (Number, "1".into())]
        );
        assert_eq!(
            kinds("a<>b::int||c"),
            vec![
                (Word, "a".into()),
                (Op, "<>".into()),
                (Word, "b".into()),
                (Op, "::".into()),
                (Word, "int".into()),
                (Op, "||".into()),
                (Word, "c".into()),
            ]
        );
        assert_eq!(
            kinds("1/* a /* nested */ comment */+2"),
            vec![(Number, "1".into()), (Op, "+".into()), (Number, "2".into())]
        );
        assert_eq!(kinds("$1"), vec![(Param, "$1".into())]);
    }

    #[test]
    fn positions_count_characters() {
        let tokens = tokenize("SELECT 'é', x").expect("lexes");
        assert_eq!(tokens.iter().map(|t| t.pos).collect::<Vec<_>>(), vec![0, 7, 10, 12]);
    }

    #[test]
    fn unterminated_things_say_where() {
        let error = tokenize("SELECT 'open").expect_err("unterminated");
        assert_eq!(error.message, "unterminated quoted string at or near \"'open\"");
        assert_eq!(error.position, Some(8));
        assert!(tokenize("SELECT \"open").is_err());
        assert!(tokenize("SELECT /* open").is_err());
        assert!(tokenize("SELECT $a$ open").is_err());
        assert_eq!(tokenize("SELECT \"\"").expect_err("empty").code, "42601");
    }
}
