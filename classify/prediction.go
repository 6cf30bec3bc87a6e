package classify

// Label sources of a prediction, shown in check runs and stored with it.
const (
	// SourceTitle: a Conventional Commits header decided the labels.
	SourceTitle = "title"
	// SourceModel: the model decided.
	SourceModel = "model"
	// SourceHuman: a maintainer set the label.
	SourceHuman = "human"
)

// LabelScore is a label with the probability a model gave it.
type LabelScore struct {
	Label       string  `json:"label"`
	Probability float64 `json:"probability"`
}

// Reason is one input feature that pushed a linear model toward a label,
// with its contribution to the label's score.
type Reason struct {
	Feature      string  `json:"feature"`
	Contribution float64 `json:"contribution"`
}

// Prediction is the answer for one commit or pull request.
type Prediction struct {
	// Labels are the labels to apply, most probable first: the top label and
	// any other above its threshold. Empty when the model abstains.
	Labels []LabelScore `json:"labels"`
	// Scores are every label's probability, most probable first.
	Scores []LabelScore `json:"scores"`
	// Abstain is set when no label reached its threshold.
	Abstain bool `json:"abstain"`
	// Source says what decided: SourceTitle or SourceModel.
	Source string `json:"source"`
	// Reasons are the features behind the top label, strongest first (linear models).
	Reasons []Reason `json:"reasons,omitempty"`
}
