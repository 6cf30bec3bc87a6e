-- What the admin page shows of each decision besides its labels: the pull
-- request's title (a pushed commit's subject), and what the bot did with
-- each label it chose, as a JSON object of vocabulary name → applied,
-- kept, held_back (a maintainer removed it) or dry_run
-- (store.LabelApplied...). Rows from before
-- have neither: '' and '{}'.
ALTER TABLE bot_predictions ADD COLUMN title TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE bot_predictions ADD COLUMN label_actions TEXT COLLATE "C" NOT NULL DEFAULT '{}';
