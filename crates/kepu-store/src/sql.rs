//! Statements as plain data: SQL text with `$n` placeholders (both engines read them) and the
//! values bound to them, built by pure functions and run by [`bound!`] inside `with_pool!`.
//! The roll-up's facts and atoms and the report queries are written this way, so that their
//! SQL is made (and unit-tested) once, without a generic over the two engines.
//!
//! Text only ever comes from the code (fixed fragments chosen by enums); every value from
//! outside is a bound value.

use crate::Engine;

/// The statement text for `engine`. On SQLite each `$n` becomes a plain `?` when they appear
/// in order (as [`Statement`] writes them): SQLite looks a named or numbered parameter up in
/// a list of those seen so far, so parsing a multi-row statement of thousands of `$n` took
/// time quadratic in their number (a 1,000-row upsert of 10 columns: 0.2 s), while each `?`
/// just takes the next number. PostgreSQL keeps `$n`.
pub(crate) fn for_engine(sql: String, engine: Engine) -> String {
    if engine == Engine::Postgres {
        return sql;
    }
    let mut out = String::with_capacity(sql.len());
    let mut next = 1usize;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        if digits.parse::<usize>().ok() != Some(next) {
            // Out of order (or not a placeholder): the text as it is, `$n` and all.
            return sql;
        }
        out.push('?');
        next += 1;
    }
    out
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptReal(Option<f64>),
}

impl From<Option<i64>> for Value {
    fn from(n: Option<i64>) -> Self {
        Self::OptInt(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Self::Text(text.clone())
    }
}

impl From<Option<f64>> for Value {
    fn from(n: Option<f64>) -> Self {
        Self::OptReal(n)
    }
}

/// SQL text and its values, `$1` … `$n` in the order they were bound.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Statement {
    pub sql: String,
    pub values: Vec<Value>,
}

impl Statement {
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends fixed text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next placeholder, bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.values.len().to_string());
        self
    }

    /// Appends `(v, v, …), (v, v, …)`: one parenthesised group per row.
    pub fn rows<T>(
        &mut self,
        rows: &[T],
        mut row: impl FnMut(&mut RowValues<'_>, &T),
    ) -> &mut Self {
        for (i, item) in rows.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            row(
                &mut RowValues {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.sql.push(')');
        }
        self
    }

    /// Appends `$a, $b, …` for a list (an `IN (…)` list).
    pub fn list<T: Clone + Into<Value>>(&mut self, items: &[T]) -> &mut Self {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(item.clone());
        }
        self
    }
}

/// The values of one row of [`Statement::rows`], separated by commas.
pub(crate) struct RowValues<'a> {
    statement: &'a mut Statement,
    first: bool,
}

impl RowValues<'_> {
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        if !self.first {
            self.statement.sql.push_str(", ");
        }
        self.first = false;
        self.statement.bind(value);
        self
    }
}

/// The `sqlx::query` of a [`Statement`]'s text (made [`for_engine`]) and values, bound, not
/// cached per connection (these texts vary with the number of rows).
macro_rules! bound {
    ($sql:expr, $values:expr) => {{
        let mut query = ::sqlx::query($sql).persistent(false);
        for value in $values {
            query = match value {
                $crate::sql::Value::Int(n) => query.bind(n),
                $crate::sql::Value::OptInt(n) => query.bind(n),
                $crate::sql::Value::Text(text) => query.bind(text),
                $crate::sql::Value::OptReal(n) => query.bind(n),
            };
        }
        query
    }};
}
pub(crate) use bound;

/// Runs statements in order on a connection or transaction (`&mut *tx`) of `$engine`, inside
/// `with_pool!`; evaluates to `Result<u64, sqlx::Error>`, the rows they changed.
macro_rules! execute_all {
    ($engine:expr, $conn:expr, $statements:expr) => {
        async {
            let mut changed: u64 = 0;
            for statement in $statements {
                let $crate::sql::Statement { sql, values } = statement;
                let sql = $crate::sql::for_engine(sql, $engine);
                changed += $crate::sql::bound!(&sql, values)
                    .execute(&mut *$conn)
                    .await?
                    .rows_affected();
            }
            Ok::<u64, ::sqlx::Error>(changed)
        }
    };
}
pub(crate) use execute_all;

/// Runs a [`Statement`] that returns rows on a connection or transaction of `$engine`, inside
/// `with_pool!`, mapping each row (`$row`, a `&Row`; `?` works) with `$map`; evaluates to
/// `Result<Vec<_>, sqlx::Error>`.
macro_rules! fetch_map {
    ($engine:expr, $conn:expr, $statement:expr, |$row:ident| $map:expr) => {
        async {
            let $crate::sql::Statement { sql, values } = $statement;
            let sql = $crate::sql::for_engine(sql, $engine);
            let rows = $crate::sql::bound!(&sql, values)
                .fetch_all(&mut *$conn)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for $row in &rows {
                out.push($map);
            }
            Ok::<_, ::sqlx::Error>(out)
        }
    };
}
pub(crate) use fetch_map;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_gets_plain_placeholders_when_they_are_in_order() {
        let sql = "INSERT INTO t VALUES ($1, $2), ($3, $4) -- $".to_owned();
        assert_eq!(sql.clone(), for_engine(sql.clone(), Engine::Postgres));
        assert_eq!(
            for_engine("SELECT $1, $2 WHERE a IN ($3)".into(), Engine::Sqlite),
            "SELECT ?, ? WHERE a IN (?)"
        );
        // Out of order, or a `$` that is no placeholder: left as written.
        assert_eq!(
            for_engine("SELECT $2, $1".into(), Engine::Sqlite),
            "SELECT $2, $1"
        );
        assert_eq!(for_engine(sql.clone(), Engine::Sqlite), sql);
    }

    #[test]
    fn placeholders_follow_the_values_bound() {
        let mut statement = Statement::new("INSERT INTO t (a, b) VALUES ");
        statement.rows(&[(1_i64, "x"), (2, "y")], |row, (a, b)| {
            row.bind(*a).bind(*b);
        });
        statement.push(" WHERE c IN (").list(&[7_i64, 8]).push(")");
        assert_eq!(
            statement.sql,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) WHERE c IN ($5, $6)"
        );
        assert_eq!(
            statement.values,
            [
                Value::Int(1),
                Value::Text("x".into()),
                Value::Int(2),
                Value::Text("y".into()),
                Value::Int(7),
                Value::Int(8)
            ]
        );
    }
}
