package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// Installation is a GitHub App installation.
type Installation struct {
	ID          int64
	Account     string
	AccountType string
	Suspended   bool
}

// InstallationRepository is a repository an installation grants.
type InstallationRepository struct {
	InstallationID int64
	// FullName is owner/name.
	FullName string
	Private  bool
}

// UpsertInstallation inserts the installation or updates the one of the same id.
func (db *DB) UpsertInstallation(ctx context.Context, in Installation) error {
	_, err := db.exec(ctx, `
		INSERT INTO installations (id, account, account_type, suspended, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			account = excluded.account,
			account_type = excluded.account_type,
			suspended = excluded.suspended,
			updated_at = excluded.updated_at`,
		in.ID, in.Account, in.AccountType, in.Suspended, now())
	if err != nil {
		return fmt.Errorf("store: upsert installation %d (%s): %w", in.ID, in.Account, err)
	}
	return nil
}

// ReplaceInstallationRepositories makes repos the installation's whole list,
// in one transaction. The installation must exist.
func (db *DB) ReplaceInstallationRepositories(ctx context.Context, installationID int64, repos []InstallationRepository) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// Two bot processes may get the same installation event at once:
		// the second replacement waits for the first, not fails on its rows.
		if err := db.lockInTx(ctx, tx, "installation_repositories/"+strconv.FormatInt(installationID, 10)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM installation_repositories WHERE installation_id = ?`, installationID); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO installation_repositories (installation_id, full_name, private) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range repos {
			if r.InstallationID != installationID {
				return fmt.Errorf("repository %s belongs to installation %d", r.FullName, r.InstallationID)
			}
			if _, err := stmt.ExecContext(ctx, installationID, r.FullName, r.Private); err != nil {
				return fmt.Errorf("repository %s: %w", r.FullName, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: installation %d repositories: %w", installationID, err)
	}
	return nil
}

// InstallationRepositories lists the repositories of every installation, by
// installation then name.
func (db *DB) InstallationRepositories(ctx context.Context) ([]InstallationRepository, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT installation_id, full_name, private FROM installation_repositories
		ORDER BY installation_id, full_name`)
	if err != nil {
		return nil, fmt.Errorf("store: installation repositories: %w", err)
	}
	defer rows.Close()
	var out []InstallationRepository
	for rows.Next() {
		var r InstallationRepository
		if err := rows.Scan(&r.InstallationID, &r.FullName, &r.Private); err != nil {
			return nil, fmt.Errorf("store: installation repositories: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
