package cleanup

import (
	"bytes"
	"strings"
)

// The content scan reads hundreds of megabytes of an image's files. Looking for each rule's
// keywords with its own pass over a lower-cased copy, then running each rule's regexp over
// the whole file when a keyword is there, ran at about 50 MB/s. Instead, one pass of an
// Aho-Corasick automaton finds every keyword, case-insensitively, without a copy; a rule's
// regexp then runs only on a window around each of its keywords' occurrences (the lines
// that can hold a match), except for rules whose match need not contain a keyword.

// keywordSet is the automaton of every rule's keywords and context literals.
type keywordSet struct {
	next [][256]uint16 // goto function completed with failure links: a DFA
	out  [][]int       // literals ending at each state (its own and its suffixes')
	// the hot loop's form of next: see compact
	class   [256]uint16
	classes int
	table   *[1 << 16]uint16 // fixed size: indexing by a uint16 needs no bounds check
	accept  *[1 << 16]bool
	lits    []string // lower case
	litLen  []int
	maxLen  int
	ofRule  [][]int  // per rule: indices of its keywords
	ctxRule [][]int  // per rule: indices of its context literals
	exact   []string // the context literals as written: they match with their case
}

var keywords = newKeywordSet(secretRules)

func newKeywordSet(rules []SecretRule) *keywordSet {
	ks := &keywordSet{next: make([][256]uint16, 1), out: make([][]int, 1)}
	index := map[string]int{}
	add := func(lit string) int {
		if i, ok := index[lit]; ok {
			return i
		}
		i := len(ks.lits)
		index[lit] = i
		ks.lits, ks.litLen = append(ks.lits, lit), append(ks.litLen, len(lit))
		ks.maxLen = max(ks.maxLen, len(lit))
		s := 0
		for j := 0; j < len(lit); j++ {
			c := lit[j]
			if ks.next[s][c] == 0 {
				ks.next = append(ks.next, [256]uint16{})
				ks.out = append(ks.out, nil)
				t := uint16(len(ks.next) - 1)
				ks.next[s][c] = t
				if 'a' <= c && c <= 'z' {
					ks.next[s][c-'a'+'A'] = t // upper case reaches the same state
				}
			}
			s = int(ks.next[s][c])
		}
		ks.out[s] = append(ks.out[s], i)
		return i
	}
	for _, r := range rules {
		var kw, ctx []int
		for _, k := range r.Keywords {
			kw = append(kw, add(strings.ToLower(k)))
		}
		for _, c := range r.Context {
			ctx = append(ctx, add(strings.ToLower(c)))
			ks.exact = append(ks.exact, c)
		}
		ks.ofRule, ks.ctxRule = append(ks.ofRule, kw), append(ks.ctxRule, ctx)
	}
	// Breadth first, each state's missing transitions become its failure state's (which,
	// being shallower, is complete already): the trie becomes a DFA.
	fail := make([]int, len(ks.next))
	queued := make([]bool, len(ks.next))
	var queue []int
	for c := 0; c < 256; c++ {
		if t := int(ks.next[0][c]); t != 0 && !queued[t] {
			queued[t] = true
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		ks.out[st] = append(ks.out[st], ks.out[fail[st]]...)
		for c := 0; c < 256; c++ {
			if t := int(ks.next[st][c]); t != 0 { // an edge of the trie
				if !queued[t] {
					queued[t] = true
					fail[t] = int(ks.next[fail[st]][c])
					queue = append(queue, t)
				}
				continue
			}
			ks.next[st][c] = ks.next[fail[st]][c]
		}
	}
	if len(ks.next) > 1<<16 {
		panic("cleanup: too many keyword states")
	}
	ks.compact()
	ks.next = nil // only the compact table is read from now on
	return ks
}

// compact turns the DFA into the table the hot loop reads: bytes that no state tells
// apart share a class (a few dozen classes, so the table fits the L1 cache), and states
// are numbered premultiplied by the class count, saving a multiplication per byte.
func (ks *keywordSet) compact() {
	classes := map[string]uint16{}
	col := make([]byte, 2*len(ks.next))
	for c := 0; c < 256; c++ {
		for st := range ks.next {
			col[2*st], col[2*st+1] = byte(ks.next[st][c]), byte(ks.next[st][c]>>8)
		}
		id, ok := classes[string(col)]
		if !ok {
			id = uint16(len(classes))
			classes[string(col)] = id
		}
		ks.class[c] = id
	}
	n := len(classes)
	if len(ks.next)*n > 1<<16 {
		panic("cleanup: keyword table too big")
	}
	ks.table, ks.accept = new([1 << 16]uint16), new([1 << 16]bool)
	for st := range ks.next {
		for c := 0; c < 256; c++ {
			ks.table[st*n+int(ks.class[c])] = ks.next[st][c] * uint16(n)
		}
		ks.accept[st*n] = len(ks.out[st]) > 0
	}
	ks.classes = n
}

// maxHits bounds the occurrences kept per literal; past it the literal's rules run over
// the whole data, as if no window were known.
const maxHits = 4096

// find returns, per literal, the offsets of its occurrences (nil: none; more than maxHits
// cut at maxHits+1).
func (ks *keywordSet) find(data []byte) [][]int {
	hits := make([][]int, len(ks.lits))
	// Two lanes, the halves of the data, stepped in one loop: each step waits on the
	// previous one's table load, so two independent chains run nearly twice as fast. The
	// first lane runs on past the middle by a keyword's length to finish what straddles
	// it, and keeps only occurrences starting before the middle; the second lane starts
	// afresh at the middle.
	mid := len(data) / 2
	table, accept, class := ks.table, ks.accept, &ks.class
	a, b := data[:min(len(data), mid+ks.maxLen-1)], data[mid:]
	var sa, sb uint16
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		sa = table[sa+class[a[i]]]
		sb = table[sb+class[b[i]]]
		if accept[sa] {
			ks.record(hits, sa, i, 0, mid)
		}
		if accept[sb] {
			ks.record(hits, sb, i, mid, len(data))
		}
	}
	for i := n; i < len(a); i++ {
		if sa = table[sa+class[a[i]]]; accept[sa] {
			ks.record(hits, sa, i, 0, mid)
		}
	}
	for i := n; i < len(b); i++ {
		if sb = table[sb+class[b[i]]]; accept[sb] {
			ks.record(hits, sb, i, mid, len(data))
		}
	}
	return hits
}

// record notes the literals ending at byte i of a lane starting at base, keeping those
// that start before limit.
func (ks *keywordSet) record(hits [][]int, s uint16, i, base, limit int) {
	for _, l := range ks.out[int(s)/ks.classes] {
		if start := base + i + 1 - ks.litLen[l]; start < limit && len(hits[l]) <= maxHits {
			hits[l] = append(hits[l], start)
		}
	}
}

// present tells whether one of the literals occurs; a context literal must occur with
// its case, as written in the rule.
func (ks *keywordSet) present(data []byte, hits [][]int, lits []int, exactCase bool) bool {
	for _, l := range lits {
		for _, h := range hits[l] {
			if !exactCase || ks.matchesExactly(data[h:h+ks.litLen[l]], l) {
				return true
			}
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
