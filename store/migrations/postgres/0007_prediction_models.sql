-- Which model served each prediction, so that the admin page can say which
-- one decided: the repository's own model's version (repository_models),
-- or 0 for the global model. Rows from before are NULL: not recorded.
ALTER TABLE bot_predictions ADD COLUMN model_version BIGINT;
-- The admin page reads each repository's newest predictions.
CREATE INDEX bot_predictions_recent ON bot_predictions(repo, created_at);
