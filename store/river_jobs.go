package store

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RiverJobs returns up to limit jobs of kind in River's queue whose args'
// repo (a full name, as a learn job's) is in scope, newest first, whatever
// their state: River's own listing, which reads its tables alike on both
// engines.
func (db *DB) RiverJobs(ctx context.Context, kind string, scope RepoScope, limit int) ([]*rivertype.JobRow, error) {
	if !scope.All() && scope.Repos() == 0 {
		return nil, nil
	}
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("store: %s jobs: %w", kind, err)
	}
	params := river.NewJobListParams().Kinds(kind).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit)
	if !scope.All() {
		// args ->> 'repo' reads the member on both engines: River keeps
		// args as jsonb on PostgreSQL and as JSONB on SQLite.
		params = params.Where("lower(args ->> 'repo') IN ("+db.dialect.jsonArrayElements("@repos")+")",
			river.NamedArgs{"repos": scope.namesJSON()})
	}
	res, err := client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("store: %s jobs: %w", kind, err)
	}
	return res.Jobs, nil
}
