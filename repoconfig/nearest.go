package repoconfig

// maxSuggestDistance is the most edits a misspelt name may be from the
// name suggested for it: a swapped pair of letters ("lables") or two
// letters wrong, never a different word.
const maxSuggestDistance = 2

// didYouMean returns "; did you mean NAME?" for the name among known
// nearest to name, when one is within maxSuggestDistance edits (and
// fewer edits than name has letters), else "".
func didYouMean(name string, known []string) string {
	best, bestDistance := "", maxSuggestDistance+1
	for _, k := range known {
		if d := editDistance(name, k); d < bestDistance && d < len(name) {
			best, bestDistance = k, d
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + best + "?"
}

// editDistance counts the insertions, deletions, substitutions and swaps
// of adjacent bytes that turn a into b (optimal string alignment distance):
// a swap is one typo, so "lables" is one edit from "labels".
func editDistance(a, b string) int {
	// rows[i%3][j] is the distance between a[:i] and b[:j].
	var rows [3][]int
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev2, prev, cur := rows[(i+1)%3], rows[(i-1)%3], rows[i%3]
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[len(a)%3][len(b)]
}
