package cleanup

import (
	"bytes"
	"sort"
)

// window is a part of the data a rule's regexp runs on.
type window struct{ start, end int }

// windows returns where a match holding one of the occurrences can lie: from the line's
// start (at most 4 KiB back, then back to a non-word byte, so that \b and ^ mean what
// they mean in the whole data) to the end of the line, and on over the lines that look
// like PEM headers ("Proc-Type: ...") or are blank, and one more (a key's first base64
// line), at most 64 KiB on; overlapping windows merged.
func windows(data []byte, offsets []int) []window {
	sort.Ints(offsets)
	var out []window
	for _, h := range offsets {
		start := h
		for start > 0 && data[start-1] != '\n' && h-start < 4096 {
			start--
		}
		for start > 0 && data[start-1] != '\n' && isWordByte(data[start-1]) && h-start < 4096+256 {
			start--
		}
		end := lineEnd(data, h, h+64<<10)
		for end < len(data) && end-h < 64<<10 {
			next := lineEnd(data, end+1, h+64<<10)
			line := data[end+1 : next]
			end = next
			if !headerLike(line) {
				break
			}
		}
		for end < len(data) && isWordByte(data[end]) && end-h < 64<<10+256 {
			end++
		}
		if n := len(out); n > 0 && start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, end)
			continue
		}
		out = append(out, window{start, end})
	}
	return out
}

// lineEnd is the offset of the newline ending the line at i, or limit or the data's end.
func lineEnd(data []byte, i, limit int) int {
	if i >= len(data) {
		return len(data)
	}
	limit = min(limit, len(data))
	if j := bytes.IndexByte(data[i:limit], '\n'); j >= 0 {
		return i + j
	}
	return limit
}

// headerLike tells a blank line or one starting "Name:", as PEM headers do.
func headerLike(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r")
	if len(line) == 0 {
		return true
	}
	i := 0
	for i < len(line) && (isWordByte(line[i]) && line[i] != '_' || line[i] == '-') {
		i++
	}
	return i > 0 && i < len(line) && line[i] == ':'
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
