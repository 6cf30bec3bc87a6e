package store

import (
	"context"
	"database/sql"
	"fmt"
)

// DeleteInstallation forgets an installation and its repositories.
func (db *DB) DeleteInstallation(ctx context.Context, id int64) error {
	if _, err := db.exec(ctx, `DELETE FROM installations WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete installation %d: %w", id, err)
	}
	return nil
}

// ChangeInstallationRepositories adds and removes repositories (by full
// name) of an existing installation, in one transaction.
func (db *DB) ChangeInstallationRepositories(ctx context.Context, installationID int64, added []InstallationRepository, removed []string) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, name := range removed {
			if _, err := tx.ExecContext(ctx, `
				DELETE FROM installation_repositories WHERE installation_id = ? AND full_name = ?`,
				installationID, name); err != nil {
				return fmt.Errorf("remove repository %s: %w", name, err)
			}
		}
		for _, r := range added {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO installation_repositories (installation_id, full_name, private) VALUES (?, ?, ?)
				ON CONFLICT (installation_id, full_name) DO UPDATE SET private = excluded.private`,
				installationID, r.FullName, r.Private); err != nil {
				return fmt.Errorf("add repository %s: %w", r.FullName, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: installation %d repositories: %w", installationID, err)
	}
	return nil
}
