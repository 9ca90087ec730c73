// Command gendocs writes the docs' tables of operations and checks from the cleanup
// catalogue, so the docs never disagree with the code.
//
// It rewrites every region of the form
//
//	<!-- BEGIN GENERATED: operations-linux -->
//	...
//	<!-- END GENERATED: operations-linux -->
//
// in the docs pages below. Region names are "operations-<os>" and "checks-<os>". A region
// of an OS the catalogue has nothing for is left empty. A page must carry a region for
// every OS the catalogue has entries for, so nothing in the catalogue goes undocumented.
//
// With -check it writes nothing and exits 1 if a page is out of date.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// page is a docs page and the kinds of table it carries.
type page struct {
	path     string // relative to the repository root
	kinds    []string
	optional bool // skip silently when the file does not exist
}

var pages = []page{
	{path: "docs/provisioners/sanitize.mdx", kinds: []string{"operations", "checks"}},
	{path: "docs/post-processors/sanitize-verify.mdx", kinds: []string{"checks"}, optional: true},
}

var oses = []cleanup.OS{cleanup.Linux, cleanup.Windows}

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "only check that the docs are up to date; exit 1 if not")
	flag.Parse()
	stale, err := run(*root, *check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if *check && len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "gendocs: out of date with the cleanup catalogue: %s\n"+
			"run `go run ./cmd/gendocs` (or `make generate`) and commit the result\n",
			strings.Join(stale, ", "))
		os.Exit(1)
	}
}

// run regenerates every page under root. It returns the pages whose content changed (in
// check mode: would change); it writes them unless check is set.
func run(root string, check bool) (stale []string, err error) {
	for _, p := range pages {
		file := filepath.Join(root, filepath.FromSlash(p.path))
		old, err := os.ReadFile(file)
		if os.IsNotExist(err) && p.optional {
			continue
		}
		if err != nil {
			return nil, err
		}
		updated, err := render(old, p.kinds)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.path, err)
		}
		if bytes.Equal(old, updated) {
			continue
		}
		stale = append(stale, p.path)
		if !check {
			if err := os.WriteFile(file, updated, 0o644); err != nil {
				return nil, err
			}
		}
	}
	return stale, nil
}

var beginRE = regexp.MustCompile(`<!-- BEGIN GENERATED: ([a-z0-9-]+) -->\n`)

// render replaces the body of every generated region in doc. It fails on an unknown or
// unterminated region, and when a region the catalogue needs is missing.
func render(doc []byte, kinds []string) ([]byte, error) {
	var out bytes.Buffer
	seen := map[string]bool{}
	rest := doc
	for {
		loc := beginRE.FindSubmatchIndex(rest)
		if loc == nil {
			out.Write(rest)
			break
		}
		name := string(rest[loc[2]:loc[3]])
		end := []byte("<!-- END GENERATED: " + name + " -->")
		stop := bytes.Index(rest[loc[1]:], end)
		if stop < 0 {
			return nil, fmt.Errorf("region %q has no %q", name, end)
		}
		body, ok := table(name, kinds)
		if !ok {
			return nil, fmt.Errorf("unknown generated region %q (this page carries %s tables)", name, strings.Join(kinds, " and "))
		}
		if seen[name] {
			return nil, fmt.Errorf("region %q appears twice", name)
		}
		seen[name] = true
		out.Write(rest[:loc[1]])
		out.WriteString(body)
		out.Write(end)
		rest = rest[loc[1]+stop+len(end):]
	}
	for _, kind := range kinds {
		for _, o := range oses {
			name := kind + "-" + string(o)
			if body, _ := table(name, kinds); body != "" && !seen[name] {
				return nil, fmt.Errorf("the catalogue has %s %s but the page has no region "+
					"<!-- BEGIN GENERATED: %s --> for them", o, kind, name)
			}
		}
	}
	return out.Bytes(), nil
}

// table returns a region's generated body: a heading and a table, or "" when the
// catalogue has nothing for that OS. ok is false for a name this page does not carry.
func table(name string, kinds []string) (body string, ok bool) {
	kind, osName, found := strings.Cut(name, "-")
	if !found || !slices.Contains(kinds, kind) {
		return "", false
	}
	if name == imageChecksRegion {
		return imageChecksTable(), true
	}
	if name == alicloudChecksRegion {
		return alicloudChecksTable(), true
	}
	for _, o := range oses {
		if string(o) != osName {
			continue
		}
		if kind == "operations" {
			return operationsTable(o), true
		}
		return checksTable(o), true
	}
	return "", false
}

func operationsTable(o cleanup.OS) string {
	ops := cleanup.Operations(o)
	if len(ops) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### %s\n\n", title(o))
	b.WriteString("| Operation | Default | What it removes | Proven by |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, op := range ops {
		def := "no"
		if op.Default {
			def = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", op.ID, def, text(op.Summary), codeList(op.Checks))
	}
	b.WriteString("\n")
	return b.String()
}

func checksTable(o cleanup.OS) string {
	cs := cleanup.Checks(o)
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### %s\n\n", title(o))
	b.WriteString("| Check | Severity | What it verifies | Reads |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Severity, text(c.Summary), codeList(c.Needs))
	}
	b.WriteString("\n")
	return b.String()
}

func title(o cleanup.OS) string {
	switch o {
	case cleanup.Linux:
		return "Linux"
	case cleanup.Windows:
		return "Windows"
	}
	return string(o)
}

// cell makes code-span content safe inside a Markdown table cell: one line, `|` escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// markup are the characters that Markdown or MDX would read as markup ("*key*" as
// emphasis, "{...}" as an expression, "<...>" as a tag).
var markup = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`,
	"<", `\<`, "{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`)

// text makes prose safe inside a Markdown table cell and shows it literally.
func text(s string) string { return cell(markup.Replace(s)) }

func codeList(items []string) string {
	if len(items) == 0 {
		return "—"
	}
	quoted := make([]string, len(items))
	for i, it := range items {
		quoted[i] = "`" + cell(it) + "`"
	}
	return strings.Join(quoted, ", ")
}
