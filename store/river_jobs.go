package store

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RiverJobs returns up to limit jobs of kind in River's queue, newest
// first, whatever their state: River's own listing, which reads its
// tables alike on both engines.
func (db *DB) RiverJobs(ctx context.Context, kind string, limit int) ([]*rivertype.JobRow, error) {
	client, err := river.NewClient(db.RiverDriver(), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("store: %s jobs: %w", kind, err)
	}
	res, err := client.JobList(ctx, river.NewJobListParams().Kinds(kind).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("store: %s jobs: %w", kind, err)
	}
	return res.Jobs, nil
}
