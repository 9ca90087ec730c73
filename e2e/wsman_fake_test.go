package e2e

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// wsmanFake is a WS-Management (WinRM) endpoint on 127.0.0.1 that speaks enough of the
// protocol for Packer's WinRM communicator (github.com/masterzen/winrm for commands,
// github.com/packer-community/winrmcp for uploads): SOAP over HTTP with Basic auth, the
// Create, Command, Receive, Signal and Delete operations of the cmd shell. No Windows and
// no PowerShell run behind it: commands are interpreted (wsman_commands_test.go) and the
// sanitize script's run is answered with output the test builds.
type wsmanFake struct {
	t          *testing.T
	user, pass string
	addr       string

	mu       sync.Mutex
	next     int
	commands map[string]*fakeCommand
	tmp      map[string][]string // winrmcp temp file -> base64 chunks
	files    map[string][]byte   // uploaded files by path ("/" separators)
	events   []fakeEvent         // what was asked, in order
	down     bool                // the machine went away: every request is dropped
	// run answers the sanitize script's run command; script is the uploaded file.
	run func(path string, script []byte) fakeRun
}

// fakeEvent is one command as the fake understood it: connect-check, upload-chunk, upload,
// upload-cleanup, run or other.
type fakeEvent struct{ Kind, Detail string }

// fakeRun is the answer to a command: its output, its exit code, and whether the
// connection drops once the output is sent (a machine shutting down).
type fakeRun struct {
	Stdout, Stderr string
	Exit           int
	Disconnect     bool
}

type fakeCommand struct {
	fakeRun
	sent int // bytes of Stdout delivered
}

// receiveChunk is how much stdout one Receive answer carries, as a real endpoint splits
// output by its envelope size.
const receiveChunk = 48 << 10

func startWSManFake(t *testing.T, user, pass string) *wsmanFake {
	t.Helper()
	f := &wsmanFake{t: t, user: user, pass: pass, commands: map[string]*fakeCommand{}, tmp: map[string][]string{}, files: map[string][]byte{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	srv := &http.Server{Handler: f}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return f
}

func (f *wsmanFake) port() string { _, p, _ := net.SplitHostPort(f.addr); return p }

// soapRequest holds the parts of a WS-Man request the fake reads (local names, any prefix).
type soapRequest struct {
	Header struct {
		Action    string `xml:"Action"`
		MessageID string `xml:"MessageID"`
		Selectors []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"SelectorSet>Selector"`
	} `xml:"Header"`
	Body struct {
		CommandLine *struct {
			Command   string   `xml:"Command"`
			Arguments []string `xml:"Arguments"`
		} `xml:"CommandLine"`
		Receive *struct {
			Stream struct {
				CommandID string `xml:"CommandId,attr"`
			} `xml:"DesiredStream"`
		} `xml:"Receive"`
		Signal *struct {
			CommandID string `xml:"CommandId,attr"`
		} `xml:"Signal"`
	} `xml:"Body"`
}

const (
	nsShell   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsXfer    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	stateDone = nsShell + "/CommandState/Done"
	stateRun  = nsShell + "/CommandState/Running"
)

func (f *wsmanFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		drop(w)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass || r.URL.Path != "/wsman" || r.Method != http.MethodPost {
		w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req soapRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		f.fault(w, "bad envelope: "+err.Error())
		return
	}
	action := req.Header.Action
	switch {
	case action == nsXfer+"/Create":
		f.next++
		f.reply(w, req, nsXfer+"/CreateResponse", fmt.Sprintf(
			`<rsp:Shell><rsp:ShellId>SHELL-%d</rsp:ShellId><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`, f.next))
	case action == nsShell+"/Command" && req.Body.CommandLine != nil:
		f.next++
		id := fmt.Sprintf("CMD-%d", f.next)
		text := cdata(req.Body.CommandLine.Command)
		for _, a := range req.Body.CommandLine.Arguments {
			text += " " + cdata(a)
		}
		f.commands[id] = &fakeCommand{fakeRun: f.interpret(text)}
		f.reply(w, req, nsShell+"/CommandResponse", `<rsp:CommandResponse><rsp:CommandId>`+id+`</rsp:CommandId></rsp:CommandResponse>`)
	case action == nsShell+"/Receive" && req.Body.Receive != nil:
		f.receive(w, req, req.Body.Receive.Stream.CommandID)
	case action == nsShell+"/Signal":
		f.reply(w, req, nsShell+"/SignalResponse", `<rsp:SignalResponse/>`)
	case action == nsXfer+"/Delete":
		f.reply(w, req, nsXfer+"/DeleteResponse", ``)
	default:
		f.fault(w, "unsupported action "+action)
	}
}

// receive sends the next piece of a command's output; the last piece says Done with the
// exit code. A command that disconnects drops the connection instead of saying Done.
func (f *wsmanFake) receive(w http.ResponseWriter, req soapRequest, id string) {
	c := f.commands[id]
	if c == nil {
		f.fault(w, "unknown command "+id)
		return
	}
	var b strings.Builder
	if rest := c.Stdout[c.sent:]; rest != "" {
		n := min(len(rest), receiveChunk)
		fmt.Fprintf(&b, `<rsp:Stream Name="stdout" CommandId="%s">%s</rsp:Stream>`, id, base64.StdEncoding.EncodeToString([]byte(rest[:n])))
		c.sent += n
		if c.sent < len(c.Stdout) || c.Disconnect {
			fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="%s"/>`, id, stateRun)
			f.reply(w, req, nsShell+"/ReceiveResponse", `<rsp:ReceiveResponse>`+b.String()+`</rsp:ReceiveResponse>`)
			return
		}
	}
	if c.Disconnect {
		f.down = true
		drop(w)
		return
	}
	if c.Stderr != "" {
		fmt.Fprintf(&b, `<rsp:Stream Name="stderr" CommandId="%s">%s</rsp:Stream>`, id, base64.StdEncoding.EncodeToString([]byte(c.Stderr)))
	}
	fmt.Fprintf(&b, `<rsp:Stream Name="stdout" CommandId="%[1]s" End="true"></rsp:Stream><rsp:Stream Name="stderr" CommandId="%[1]s" End="true"></rsp:Stream>`+
		`<rsp:CommandState CommandId="%[1]s" State="%[2]s"><rsp:ExitCode>%[3]d</rsp:ExitCode></rsp:CommandState>`, id, stateDone, c.Exit)
	f.reply(w, req, nsShell+"/ReceiveResponse", `<rsp:ReceiveResponse>`+b.String()+`</rsp:ReceiveResponse>`)
}

func (f *wsmanFake) reply(w http.ResponseWriter, req soapRequest, action, body string) {
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	fmt.Fprintf(w, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" `+
		`xmlns:x="%s" xmlns:rsp="%s"><s:Header><a:Action>%s</a:Action><a:MessageID>uuid:fake-%d</a:MessageID>`+
		`<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body>%s</s:Body></s:Envelope>`, nsXfer, nsShell, action, f.next, escape(req.Header.MessageID), body)
}

func (f *wsmanFake) fault(w http.ResponseWriter, msg string) {
	f.t.Errorf("fake WS-Man: %s", msg)
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">`+
		`<s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action></s:Header><s:Body><s:Fault><s:Reason><s:Text>%s</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`, escape(msg))
}

// drop closes the connection without an answer, as a machine that powered off.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// cdata undoes the client's "<![CDATA[...]]>" wrapping when it reaches us as text.
func cdata(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<![CDATA[")
	return strings.TrimSuffix(s, "]]>")
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
