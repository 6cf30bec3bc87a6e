package webhook

import (
	"encoding/json"

	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/store"
)

// botPrediction is the stored form of a decision, which records the
// model that served it so that an operator can tell which one decided.
func botPrediction(r repoRef, number int, sha string, d decision.Decision, deliveryID string, served *ServedModel) store.BotPrediction {
	detail, _ := json.Marshal(d)
	names := make([]string, len(d.Labels))
	for i, s := range d.Labels {
		names[i] = s.Label
	}
	return store.BotPrediction{
		Repo: r.String(), PullNumber: number, SHA: sha, Source: d.Source,
		Labels: names, Detail: detail, DeliveryID: deliveryID, ModelVersion: served.Version,
	}
}
