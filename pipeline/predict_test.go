package pipeline

import (
	"strings"
	"testing"
)

func TestDecodeCommit(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		files      int
		adds, dels int
		err        string
	}{
		{"minimal", `{"subject": "fix: x", "body": "b", "diff": "d", "files": [{"path": "a.go"}]}`, 1, 0, 0, ""},
		{"totals from files", `{"subject": "x", "files": [{"path": "a.go", "additions": 2, "deletions": 1}, {"path": "b.go", "status": "A", "additions": 3}]}`, 2, 5, 1, ""},
		{"totals given", `{"subject": "x", "files": [], "files_changed": 7, "additions": 9, "deletions": 4}`, 7, 9, 4, ""},
		{"no subject", `{"body": "x"}`, 0, 0, 0, `field "subject": missing`},
		{"bad status", `{"subject": "x", "files": [{"path": "a", "status": "Q"}]}`, 0, 0, 0, `files.0.status`},
		{"no path", `{"subject": "x", "files": [{}]}`, 0, 0, 0, `files.0.path`},
		{"wrong type", `{"subject": ["x"]}`, 0, 0, 0, `field "subject"`},
		{"not json", `{`, 0, 0, 0, "invalid JSON"},
		{"negative total", `{"subject": "x", "deletions": -1}`, 0, 0, 0, `field "deletions": negative`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCommit([]byte(tc.line))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || c.FilesChanged != tc.files || c.Additions != tc.adds || c.Deletions != tc.dels {
				t.Fatalf("commit %+v, err %v", c, err)
			}
		})
	}
}

func FuzzDecodeCommit(f *testing.F) {
	f.Add([]byte(`{"subject": "feat: x", "files": [{"path": "a.go", "status": "M"}], "diff": "+x"}`))
	f.Add([]byte(`{"subject": "", "files_changed": -1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := DecodeCommit(line)
		if err != nil {
			return
		}
		if c.FilesChanged < 0 || c.Additions < 0 || c.Deletions < 0 {
			t.Fatalf("accepted negative totals %+v", c)
		}
		for _, fl := range c.Files {
			if fl.Path == "" || len(fl.Status) != 1 {
				t.Fatalf("accepted file %+v", fl)
			}
		}
	})
}
