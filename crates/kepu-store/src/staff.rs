//! Staff accounts: a name, a role and an argon2id password hash (hashed by the server; this
//! module only keeps the PHC string).

use crate::{Store, StoreError, must_exist, name_taken, with_pool};

/// What a staff member may do: a viewer reads reports; an admin also manages venues, kiosks
/// and staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "viewer" => Some(Self::Viewer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at_ms: i64,
    pub password_changed_at_ms: i64,
}

impl Store {
    pub async fn add_staff(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let result = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO staff (name, role, password_hash, created_at_ms, password_changed_at_ms)
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        name_taken(result, "staff member", name)?;
        Ok(())
    }

    pub async fn list_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, role, password_hash, created_at_ms, password_changed_at_ms
                 FROM staff ORDER BY name",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().filter_map(staff_record).collect())
    }

    pub async fn staff_by_name(&self, name: &str) -> Result<Option<StaffRecord>, StoreError> {
        let row: Option<(String, String, String, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, role, password_hash, created_at_ms, password_changed_at_ms
                 FROM staff WHERE name = $1",
            )
            .bind(name)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.and_then(staff_record))
    }

    pub async fn remove_staff(&self, name: &str) -> Result<(), StoreError> {
        let changed = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM staff WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        must_exist(changed, "staff member", name)
    }

    pub async fn set_staff_password(
        &self,
        name: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let changed = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE staff SET password_hash = $1, password_changed_at_ms = $2 WHERE name = $3",
            )
            .bind(password_hash)
            .bind(now_ms)
            .bind(name)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        must_exist(changed, "staff member", name)
    }
}

fn staff_record(
    (name, role, password_hash, created_at_ms, password_changed_at_ms): (
        String,
        String,
        String,
        i64,
        i64,
    ),
) -> Option<StaffRecord> {
    // The table's CHECK allows only the two roles.
    Some(StaffRecord {
        name,
        role: Role::parse(&role)?,
        password_hash,
        created_at_ms,
        password_changed_at_ms,
    })
}
