package ghapp

import (
	"context"
	"fmt"
	"iter"
	"log/slog"

	"github.com/google/go-github/v93/github"
)

// PageSize is the largest page GitHub serves (per_page is at most 100):
// the fewest requests per list.
const PageSize = 100

// Page is the page of a list one request asks for: GitHub pages most lists
// by number (the page parameter) and a few by cursor (the cursor parameter,
// as the App's webhook deliveries). The zero Page is the first page.
type Page struct {
	Number int
	Cursor string
}

// List names a list read with ReadList and bounds it.
type List struct {
	// Name says which list of what, for the log: "files of octo/hello#12".
	Name string
	// Cap is the most items read (list_caps.go): a longer list is read up
	// to it, and the caller works with what it read.
	Cap int
}

// ReadList yields the items of l in order, reading page after page through
// read, which asks GitHub for one page and returns its items with GitHub's
// response (its Link header parsed: NextPage, Cursor). The read ends after
// the last page, at an error (yielded last), when the caller stops, or,
// logged at WARN on log with the list and the number of items read, when
//
//   - l.Cap items were read and more remain ("cap 3000 reached");
//   - the next page's number is not beyond the page read: a Link naming the
//     same page again or an earlier one ("next page 2 does not advance past
//     page 2"), as a mock built from GitHub's OpenAPI description does, whose
//     example Link always names page 2;
//   - the next cursor is one already read;
//   - a page names a next page yet holds no item.
//
// Every request therefore reads at least one new item: whatever a server
// answers, a read makes at most l.Cap requests, and l.Cap/PageSize+1 at the
// page size GitHub serves. Following such a Link unbounded once made 5,257
// requests in 60 s for one pull request; on GitHub that spends the
// installation's 5,000 requests an hour (an Action token's 1,000).
func ReadList[T any](ctx context.Context, log *slog.Logger, l List, read func(Page) ([]T, *github.Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			page    Page
			n       int // items yielded
			cursors = map[string]bool{}
		)
		stop := func(reason string) {
			log.WarnContext(ctx, "stopped reading a GitHub list", "list", l.Name, "items", n, "reason", reason)
		}
		for {
			items, resp, err := read(page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if n == l.Cap {
					stop(fmt.Sprintf("cap %d reached", l.Cap))
					return
				}
				n++
				if !yield(item, nil) {
					return
				}
			}
			next, reason := nextPage(page, resp, len(items), cursors)
			switch {
			case reason != "":
				stop(reason)
				return
			case next == Page{}:
				return
			case n == l.Cap:
				stop(fmt.Sprintf("cap %d reached", l.Cap))
				return
			}
			page = next
		}
	}
}

// hasNext reports whether the response names a next page.
func hasNext(resp *github.Response) bool {
	return resp != nil && (resp.NextPage != 0 || resp.Cursor != "")
}

// nextPage is the page to read after page, whose response is resp with
// items items: the zero Page when the list ends, with the reason when it
// ends because the next page named does not advance. cursors are the
// cursors read so far; nextPage adds the next one.
func nextPage(page Page, resp *github.Response, items int, cursors map[string]bool) (Page, string) {
	if !hasNext(resp) {
		return Page{}, ""
	}
	if items == 0 {
		return Page{}, "an empty page names a next page"
	}
	if resp.Cursor != "" {
		if cursors[resp.Cursor] {
			return Page{}, fmt.Sprintf("next cursor %q was read already", resp.Cursor)
		}
		cursors[resp.Cursor] = true
		return Page{Cursor: resp.Cursor}, ""
	}
	current := max(page.Number, 1)
	if resp.NextPage <= current {
		return Page{}, fmt.Sprintf("next page %d does not advance past page %d", resp.NextPage, current)
	}
	return Page{Number: resp.NextPage}, ""
}
