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

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// The text: as written for words, numbers and operators; the value for strings and
    /// quoted identifiers.
    pub text: Text,
    /// 0-based character position where it starts.
    pub pos: usize,
    /// 0-based character position just past its end (for `syntax error at end of input`).
    pub end: usize,
}

impl Token {
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

/// A token's text, kept inline when it is short (almost every token is: keywords, names,
/// numbers, punctuation), so cutting a statement into tokens allocates only for long strings.
#[derive(Clone, PartialEq, Eq)]
pub enum Text {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    const INLINE: usize = 22;

    /// The text of `chars`.
    fn of_chars(chars: &[char]) -> Self {
        let mut bytes = [0u8; Text::INLINE];
        if chars.len() <= Text::INLINE {
            // Most tokens: one byte a character, copied (in one pass) without encoding each.
            let mut ascii = true;
            for (byte, &c) in bytes.iter_mut().zip(chars) {
                *byte = c as u8;
                ascii &= c.is_ascii();
            }
            if ascii {
                return Text::Inline { len: chars.len() as u8, bytes };
            }
            bytes = [0u8; Text::INLINE];
        }
        let mut len = 0;
        for c in chars {
            let width = c.len_utf8();
            if len + width > Text::INLINE {
                return Text::Heap(chars.iter().collect::<String>().into_boxed_str());
            }
            c.encode_utf8(&mut bytes[len..]);
            len += width;
        }
        Text::Inline { len: len as u8, bytes }
    }

    /// One ASCII character.
    fn ascii(byte: u8) -> Self {
        debug_assert!(byte.is_ascii());
        let mut bytes = [0u8; Text::INLINE];
        bytes[0] = byte;
        Text::Inline { len: 1, bytes }
    }

    /// Its bytes, without the UTF-8 check [`Text::as_str`] makes (for comparisons).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Heap(text) => text.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // Only ever filled with whole UTF-8 characters (of_chars and From<&str>).
            Text::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Text::Heap(text) => text,
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        match text.len() <= Text::INLINE {
            true => {
                let mut bytes = [0u8; Text::INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Text::Inline { len: text.len() as u8, bytes }
            }
            false => Text::Heap(text.into()),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        match text.len() <= Text::INLINE {
            true => Text::from(text.as_str()),
            false => Text::Heap(text.into_boxed_str()),
        }
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Characters PostgreSQL builds operators from.
const OPERATOR_CHARS: &str = "+-*/<>=~!@#%^&|`?";

/// Characters that let a multi-character operator end in `+` or `-`.
const OPERATOR_SPECIAL: &str = "~!@#%^&|`?";

/// Cuts `text` into tokens.
#[cfg(test)]
pub fn tokenize(text: &str) -> Result<Vec<Token>, SqlError> {
    let mut tokens = Vec::new();
    tokenize_into(text, text.is_ascii(), &mut tokens)?;
    Ok(tokens)
}

thread_local! {
    /// The characters of the text being cut, kept between calls: every statement the
    /// cluster runs is cut into tokens, and this saves allocating room for it each time.
    static CHARS: std::cell::Cell<Vec<char>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The most room for characters kept between calls (a very long statement's is freed).
const KEPT_CHARS: usize = 16 << 10;

/// [`tokenize`] into `tokens` (cleared first), so a caller can reuse its room.
/// `ascii` says whether `text` is ASCII (the caller has asked already).
pub fn tokenize_into(text: &str, ascii: bool, tokens: &mut Vec<Token>) -> Result<(), SqlError> {
    debug_assert_eq!(ascii, text.is_ascii());
    tokens.clear();
    // About one token for every four characters of SQL: room for most without regrowing.
    tokens.reserve(text.len() / 4 + 4);
    let mut chars = CHARS.take();
    chars.clear();
    if ascii {
        // Most SQL: a byte a character, which extends without decoding or a check per push.
        chars.extend(text.bytes().map(char::from));
    } else {
        chars.extend(text.chars());
    }
    let mut lexer = Lexer { chars, at: 0, tokens: std::mem::take(tokens) };
    let result = lexer.run();
    *tokens = std::mem::take(&mut lexer.tokens);
    if lexer.chars.capacity() <= KEPT_CHARS {
        CHARS.set(lexer.chars);
    }
    result
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    tokens: Vec<Token>,
}

impl Lexer {
    fn run(&mut self) -> Result<(), SqlError> {
        while let Some(c) = self.peek(0) {
            let start = self.at;
            match c {
                ' ' | '\t' | '\n' | '\r' => self.at += 1,
                '-' if self.peek(1) == Some('-') => self.line_comment(),
                '/' if self.peek(1) == Some('*') => self.block_comment()?,
                '\'' => self.string(start, false)?,
                'e' | 'E' if self.peek(1) == Some('\'') => {
                    self.at += 1;
                    self.string(start, true)?;
                }
                'n' | 'N' if self.peek(1) == Some('\'') => {
                    self.at += 1; // N'…': a national character string, the same value here
                    self.string(start, false)?;
                }
                '"' => self.quoted_identifier(start)?,
                '$' => self.dollar(start)?,
                c if c.is_ascii_digit() => self.number(start),
                '.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => self.number(start),
                c if is_word_start(c) => self.word(start),
                '(' | ')' | ',' | ';' | '[' | ']' | '.' => {
                    self.at += 1;
                    self.push(Kind::Op, Text::ascii(c as u8), start);
                }
                ':' if self.peek(1) == Some(':') => {
                    self.at += 2;
                    self.push(Kind::Op, "::", start);
                }
                ':' => {
                    self.at += 1;
                    self.push(Kind::Op, ":", start);
                }
                c if OPERATOR_CHARS.contains(c) => self.operator(start),
                // Other white space (form feed, vertical tab, Unicode spaces), tested last:
                // the test costs a call, and the common spaces are matched first.
                c if c.is_whitespace() => self.at += 1,
                other => {
                    return Err(SqlError::syntax_near(&other.to_string()).at(Some(start + 1)));
                }
            }
        }
        Ok(())
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn push(&mut self, kind: Kind, text: impl Into<Text>, pos: usize) {
        self.tokens.push(Token { kind, text: text.into(), pos, end: self.at });
    }

    fn line_comment(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.at += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), SqlError> {
        let start = self.at;
        let mut depth = 0usize;
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some('/'), Some('*')) => {
                    depth += 1;
                    self.at += 2;
                }
                (Some('*'), Some('/')) => {
                    depth -= 1;
                    self.at += 2;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                (Some(_), _) => self.at += 1,
                (None, _) => {
                    let near: String = self.chars[start..].iter().take(40).collect();
                    return Err(SqlError::new(
                        "42601",
                        format!("unterminated /* comment at or near \"{near}\""),
                    )
                    .at(Some(start + 1)));
                }
            }
        }
    }

    /// `'…'` (at the quote), with backslash escapes for `E'…'`.
    fn string(&mut self, start: usize, escapes: bool) -> Result<(), SqlError> {
        self.at += 1; // the opening quote
                      // Most strings hold no quote and no escape: their characters are the value.
        let rest = &self.chars[self.at..];
        let plain = rest.iter().position(|&c| c == '\'' || (escapes && c == '\\'));
        if let Some(end) =
            plain.filter(|&end| rest[end] == '\'' && rest.get(end + 1) != Some(&'\''))
        {
            let text = Text::of_chars(&rest[..end]);
            self.at += end + 1;
            self.push(Kind::String, text, start);
            return Ok(());
        }
        let mut value = String::new();
        loop {
            match self.peek(0) {
                None => return Err(self.unterminated("quoted string", start)),
                Some('\'') if self.peek(1) == Some('\'') => {
                    value.push('\'');
                    self.at += 2;
                }
                Some('\'') => {
                    self.at += 1;
                    break;
                }
                Some('\\') if escapes => {
                    self.at += 1;
                    let Some(escaped) = self.peek(0) else {
                        return Err(self.unterminated("quoted string", start));
                    };
                    self.at += 1;
                    value.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        other => other,
                    });
                }
                Some(c) => {
                    value.push(c);
                    self.at += 1;
                }
            }
        }
        self.push(Kind::String, value, start);
        Ok(())
    }

    fn unterminated(&self, what: &str, start: usize) -> SqlError {
        let near: String = self.chars[start..].iter().take(40).collect();
        SqlError::new("42601", format!("unterminated {what} at or near \"{near}\""))
            .at(Some(start + 1))
    }

    fn quoted_identifier(&mut self, start: usize) -> Result<(), SqlError> {
        self.at += 1;
        let mut name = String::new();
        loop {
            match self.peek(0) {
                None => return Err(self.unterminated("quoted identifier", start)),
                Some('"') if self.peek(1) == Some('"') => {
                    name.push('"');
                    self.at += 2;
                }
                Some('"') => {
                    self.at += 1;
                    break;
                }
                Some(c) => {
                    name.push(c);
                    self.at += 1;
                }
            }
        }
        if name.is_empty() {
            return Err(SqlError::new(
                "42601",
                "zero-length delimited identifier at or near \"\"\"\"",
            )
            .at(Some(start + 1)));
        }
        self.push(Kind::Quoted, name, start);
        Ok(())
    }

    /// `$1` (a parameter), or a dollar-quoted string `$$…$$` / `$tag$…$tag$`.
    fn dollar(&mut self, start: usize) -> Result<(), SqlError> {
        if self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
            while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1;
            }
            let text = Text::of_chars(&self.chars[start..self.at]);
            self.push(Kind::Param, text, start);
            return Ok(());
        }
        let mut tag_end = self.at + 1;
        while self.chars.get(tag_end).is_some_and(|c| is_word_char(*c) && *c != '$') {
            tag_end += 1;
        }
        if self.chars.get(tag_end) != Some(&'$') {
            return Err(SqlError::syntax_near("$").at(Some(start + 1)));
        }
        let tag: Vec<char> = self.chars[start..=tag_end].to_vec();
        self.at = tag_end + 1;
        let body_start = self.at;
        while self.at + tag.len() <= self.chars.len() {
            if self.chars[self.at..self.at + tag.len()] == tag[..] {
                let value: String = self.chars[body_start..self.at].iter().collect();
                self.at += tag.len();
                self.push(Kind::String, value, start);
                return Ok(());
            }
            self.at += 1;
        }
        self.at = self.chars.len();
        Err(self.unterminated("dollar-quoted string", start))
    }

    fn number(&mut self, start: usize) {
        let digits = |lexer: &mut Lexer| {
            while lexer.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                lexer.at += 1;
            }
        };
        digits(self);
        if self.peek(0) == Some('.') && self.peek(1) != Some('.') {
            self.at += 1;
            digits(self);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek(1), Some('+' | '-')));
            if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1 + sign;
                digits(self);
            }
        }
        let text = Text::of_chars(&self.chars[start..self.at]);
        self.push(Kind::Number, text, start);
    }

    fn word(&mut self, start: usize) {
        while self.peek(0).is_some_and(is_word_char) {
            self.at += 1;
        }
        let text = Text::of_chars(&self.chars[start..self.at]);
        self.push(Kind::Word, text, start);
    }

    fn operator(&mut self, start: usize) {
        let mut end = self.at;
        while self.chars.get(end).is_some_and(|c| OPERATOR_CHARS.contains(*c)) {
            // A comment starts inside the run: the operator ends before it.
            let next = self.chars.get(end + 1).copied();
            if end > self.at
                && matches!((self.chars[end], next), ('-', Some('-')) | ('/', Some('*')))
            {
                break;
            }
            end += 1;
        }
        // A multi-character operator ends in + or - only if it holds a special character.
        let run = &self.chars[self.at..end];
        let mut len = run.len();
        if len > 1 && !run.iter().any(|c| OPERATOR_SPECIAL.contains(*c)) {
            while len > 1 && matches!(run[len - 1], '+' | '-') {
                len -= 1;
            }
        }
        let text = Text::of_chars(&run[..len]);
        self.at += len;
        self.push(Kind::Op, text, start);
    }
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

#[inline(always)]
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
    fn short_texts_stay_inline_and_long_ones_go_to_the_heap() {
        let short = Text::of_chars(&"héllo_wörld".chars().collect::<Vec<_>>());
        assert!(matches!(short, Text::Inline { .. }));
        assert_eq!(short, "héllo_wörld");
        let edge: String = "x".repeat(Text::INLINE);
        assert!(matches!(Text::from(edge.as_str()), Text::Inline { .. }));
        assert_eq!(Text::from(edge.as_str()), edge.as_str());
        // A multi-byte character that would straddle the inline room goes to the heap whole.
        let straddling: Vec<char> = "x".repeat(Text::INLINE - 1).chars().chain(['é']).collect();
        let text = Text::of_chars(&straddling);
        assert!(matches!(text, Text::Heap(_)));
        assert_eq!(text.as_str(), straddling.iter().collect::<String>());
        let long = tokenize(&format!("'{}'", "long ".repeat(20))).expect("lexes");
        assert_eq!(long[0].text.len(), 100);
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
