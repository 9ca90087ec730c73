package cleanup

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/internal/bytepairs"
)

// The content scan reads hundreds of megabytes of an image's files. A rule's regexp runs
// only on windows around its keywords (the lines that can hold a match), except for rules
// whose match need not contain a keyword; finding the keywords is the hot loop.
//
// Each literal is found through its pivot, the byte of it that is rarest in text, and
// the byte after the pivot (the byte before it, for a literal ending with its pivot): one
// pass finds the places where a pivot is next to a byte it is next to in some literal, 64
// bytes at a time (package bytepairs, AVX2 or AVX-512), and only there are the literals
// compared. Without AVX2, one bytes.IndexByte
// pass per pivot byte finds the pivots (eleven passes cover every literal; they took 2.3x
// less CPU than the keyword automaton before them, and the pair search halved the CPU of
// a content scan of 50,000 files again).

// Pivot preferences, rarest first in configuration files, scripts and source. A literal
// matched case-insensitively takes the first of foldPivots it holds, and is looked for in
// both cases; one matched with its case (a keyword with capitals) the first of exactPivots.
const (
	foldPivots  = "xk#_\":w"
	exactPivots = "IK"
)

// keywordSet finds every rule's keywords and context literals.
type keywordSet struct {
	pivots  []pivotGroup
	lits    []string // case-insensitive ones in lower case
	litLen  []int
	ofRule  [][]int  // per rule: indices of its keywords
	ctxRule [][]int  // per rule: indices of its context literals
	exact   []string // the context literals as written: they match with their case

	groupOf [256]int8       // the pivot group of a byte, -1 for a byte no literal pivots on
	pairs   bytepairs.Table // a class per pivot byte (a letter's two cases in one)
	pairsOK bool            // the pivot bytes fit the pair search's classes
}

// pivotGroup is the literals one IndexByte pass finds: at each occurrence of b, each
// candidate's literal is compared at pivot bytes before it.
type pivotGroup struct {
	b     byte
	cands []pivotCandidate
	// next holds the bytes that may follow b in one of the literals: most occurrences of
	// b are rejected by that one load, before any literal is compared.
	next [256]bool
	// prev holds the bytes that may come before b in one of the literals; prevAll says
	// that one starts with b. The pair search pairs b with the byte before it (before)
	// where a literal ends with b, so that any byte may follow it.
	prev    [256]bool
	prevAll bool
	before  bool
}

type pivotCandidate struct {
	lit   int
	text  []byte
	fold  []byte // per byte of text, 0x20 where a letter matches in either case
	pivot int
}

var keywords = newKeywordSet(secretRules)

// foldsCase tells a keyword matched in either case (written in lower case) from one
// matched as written (with capitals: the rule's pattern wants them, as AKIA's does).
func foldsCase(k string) bool { return k == strings.ToLower(k) }

func newKeywordSet(rules []SecretRule) *keywordSet {
	ks := &keywordSet{}
	index := map[string]int{}
	add := func(lit string, fold bool) int {
		key := fmt.Sprint(fold, lit)
		if i, ok := index[key]; ok {
			return i
		}
		i := len(ks.lits)
		index[key] = i
		ks.lits, ks.litLen = append(ks.lits, lit), append(ks.litLen, len(lit))
		ks.addPivot(i, lit, fold)
		return i
	}
	for _, r := range rules {
		var kw, ctx []int
		for _, k := range r.Keywords {
			kw = append(kw, add(k, foldsCase(k)))
		}
		for _, c := range r.Context {
			ctx = append(ctx, add(strings.ToLower(c), true))
			ks.exact = append(ks.exact, c)
		}
		ks.ofRule, ks.ctxRule = append(ks.ofRule, kw), append(ks.ctxRule, ctx)
	}
	ks.packPairs()
	return ks
}

// packPairs fills groupOf, and the pair table with a class per pivot byte, a letter's
// two cases together, holding the pivot with the bytes that may follow it, or with those
// that may come before it (before).
func (ks *keywordSet) packPairs() {
	for b := range ks.groupOf {
		ks.groupOf[b] = -1
	}
	for gi := range ks.pivots {
		ks.groupOf[ks.pivots[gi].b] = int8(gi)
	}
	class := map[byte]int{}
	for gi := range ks.pivots {
		g := &ks.pivots[gi]
		c, ok := class[toLower(g.b)]
		if !ok {
			c = len(class)
			class[toLower(g.b)] = c
		}
		if c >= bytepairs.Classes {
			return
		}
		// a pivot before any byte (a literal ends with it) pairs better with the byte
		// before it, when every literal has one
		var next, prev []byte
		for n := range 256 {
			if g.next[n] {
				next = append(next, byte(n))
			}
			if g.prev[n] {
				prev = append(prev, byte(n))
			}
		}
		if g.before = len(next) == 256 && !g.prevAll; g.before {
			ks.pairs.Add(c, prev, []byte{g.b})
		} else {
			ks.pairs.Add(c, []byte{g.b}, next)
		}
	}
	for gi := range ks.pivots { // a class holds a letter's two cases: they pair alike
		lower := ks.groupOf[toLower(ks.pivots[gi].b)]
		if lower >= 0 && ks.pivots[lower].before != ks.pivots[gi].before {
			return
		}
	}
	ks.pairsOK = true
}

func toLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// addPivot files literal i under its pivot byte (both cases of a letter when it folds).
func (ks *keywordSet) addPivot(i int, lit string, fold bool) {
	order := exactPivots
	if fold {
		order = foldPivots
	}
	at := -1
	for _, b := range []byte(order) {
		if j := strings.IndexByte(lit, b); j >= 0 {
			at = j
			break
		}
	}
	if at < 0 {
		panic(fmt.Sprintf("cleanup: keyword %q holds none of the pivot bytes %q", lit, order))
	}
	c := pivotCandidate{lit: i, text: []byte(lit), fold: make([]byte, len(lit)), pivot: at}
	for j := 0; j < len(lit); j++ {
		if fold && 'a' <= lit[j] && lit[j] <= 'z' {
			c.fold[j] = 0x20
		}
	}
	bs := []byte{lit[at]}
	if c.fold[at] != 0 {
		bs = append(bs, lit[at]-'a'+'A')
	}
	for _, b := range bs {
		gi := -1
		for j := range ks.pivots {
			if ks.pivots[j].b == b {
				gi = j
			}
		}
		if gi < 0 {
			ks.pivots = append(ks.pivots, pivotGroup{b: b})
			gi = len(ks.pivots) - 1
		}
		g := &ks.pivots[gi]
		g.cands = append(g.cands, c)
		for _, n := range c.follow() {
			g.next[n] = true
		}
		if c.pivot == 0 {
			g.prevAll = true
		} else {
			g.prev[c.text[c.pivot-1]] = true
			if c.fold[c.pivot-1] != 0 {
				g.prev[c.text[c.pivot-1]-'a'+'A'] = true
			}
		}
	}
}

// follow is the bytes that may come after the pivot: all of them when it ends the literal.
func (c *pivotCandidate) follow() []byte {
	j := c.pivot + 1
	if j == len(c.text) {
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		return all
	}
	if c.fold[j] != 0 {
		return []byte{c.text[j], c.text[j] - 'a' + 'A'}
	}
	return []byte{c.text[j]}
}

// maxHits bounds the occurrences kept per literal; past it the literal's rules run over
// the whole data, as if no window were known.
const maxHits = 4096

// find returns, per literal, the offsets of its occurrences, in no order (nil: none; more
// than maxHits cut at maxHits+1).
func (ks *keywordSet) find(data []byte) [][]int {
	hits := make([][]int, len(ks.lits))
	if ks.pairsOK && bytepairs.Available {
		var out [512]int32
		// a pair ends at j: a pivot at j-1 with the byte after it, or one at j with the
		// byte before it
		_ = bytepairs.Search(data, 1, &ks.pairs, out[:], func(j int) error {
			if gi := ks.groupOf[data[j-1]]; gi >= 0 && !ks.pivots[gi].before {
				ks.pivotAt(&ks.pivots[gi], data, j-1, hits)
			}
			if gi := ks.groupOf[data[j]]; gi >= 0 && ks.pivots[gi].before {
				ks.pivotAt(&ks.pivots[gi], data, j, hits)
			}
			return nil
		})
		// a pivot ending the data, with no byte after it to pair with (one at the start has
		// no byte before it, nor a literal)
		if n := len(data); n > 0 && ks.groupOf[data[n-1]] >= 0 && !ks.pivots[ks.groupOf[data[n-1]]].before {
			ks.pivotAt(&ks.pivots[ks.groupOf[data[n-1]]], data, n-1, hits)
		}
		return hits
	}
	for gi := range ks.pivots {
		g := &ks.pivots[gi]
		for q := 0; q < len(data); q++ {
			i := bytes.IndexByte(data[q:], g.b)
			if i < 0 {
				break
			}
			q += i
			ks.pivotAt(g, data, q, hits)
		}
	}
	return hits
}

// pivotAt adds the literals of group g whose pivot is data[q], when the bytes beside it
// may be theirs.
func (ks *keywordSet) pivotAt(g *pivotGroup, data []byte, q int, hits [][]int) {
	if q+1 < len(data) && !g.next[data[q+1]] || q > 0 && !g.prevAll && !g.prev[data[q-1]] {
		return
	}
	for ci := range g.cands {
		c := &g.cands[ci]
		if p := q - c.pivot; p >= 0 && p+len(c.text) <= len(data) && c.at(data[p:]) && len(hits[c.lit]) <= maxHits {
			hits[c.lit] = append(hits[c.lit], p)
		}
	}
}

// at tells whether b starts with the candidate's literal.
func (c *pivotCandidate) at(b []byte) bool {
	for j, t := range c.text {
		if b[j]|c.fold[j] != t {
			return false
		}
	}
	return true
}

// present tells whether one of the literals occurs; a context literal must occur with
// its case, as written in the rule.
func (ks *keywordSet) present(data []byte, hits [][]int, lits []int, exactCase bool) bool {
	for _, l := range lits {
		if exactCase && len(hits[l]) > maxHits && ks.containsExactly(data, l) {
			return true // the occurrences kept may all be in the other case
		}
		for _, h := range hits[l] {
			if !exactCase || ks.matchesExactly(data[h:h+ks.litLen[l]], l) {
				return true
			}
		}
	}
	return false
}

// containsExactly tells whether literal l occurs in data as a context literal is written.
func (ks *keywordSet) containsExactly(data []byte, l int) bool {
	for _, c := range ks.exact {
		if strings.ToLower(c) == ks.lits[l] && bytes.Contains(data, []byte(c)) {
			return true
		}
	}
	return false
}

func (ks *keywordSet) matchesExactly(b []byte, l int) bool {
	for _, c := range ks.exact {
		if strings.ToLower(c) == ks.lits[l] && bytes.Equal(b, []byte(c)) {
			return true
		}
	}
	return false
}

// ruleWindows is where rule ri's regexp runs: the windows around its keywords, or all of
// the data when a match need not hold a keyword (a chpasswd list follows "chpasswd:" by
// lines) or a keyword occurs too often to keep every occurrence.
func (ks *keywordSet) ruleWindows(data []byte, hits [][]int, ri int) []window {
	if !keywordInMatch[secretRules[ri].ID] {
		return []window{{0, len(data)}}
	}
	var offsets []int
	for _, l := range ks.ofRule[ri] {
		if len(hits[l]) > maxHits {
			return []window{{0, len(data)}}
		}
		offsets = append(offsets, hits[l]...)
	}
	return windows(data, offsets)
}

// keywordInMatch lists the rules whose every match holds one of the rule's keywords, so
// that only the lines around the keywords can hold one. A rule missing here runs over all
// of the data: slower, never wrong.
var keywordInMatch = map[string]bool{
	"aws-access-key-id": true, "aws-secret-access-key": true, "aws-session-token": true,
	"alibaba-access-key-id": true, "alibaba-access-key-secret": true, "private-key-pem": true,
	"git-credential-url": true, "docker-auth": true, "github-token": true, "slack-token": true,
	"cloud-init-password": true,
}
