// Package alicloudfake fakes, on 127.0.0.1, the Alibaba Cloud RPC-style APIs the plugin
// calls (ECS and STS), speaking their wire protocol: the action and the common parameters
// in the query, the request's parameters in a form body, an HMAC-SHA1 signature over
// both that the fake verifies with the secret it was given, JSON answers in the shape
// of real responses (RequestId included), and errors as Alibaba's error JSON
// ({"RequestId","HostId","Code","Message","Recommend"}) with the HTTP status the real
// service uses. Every call is recorded so tests can assert what was called.
package alicloudfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Call is one recorded API call that passed authentication.
type Call struct {
	Action      string
	AccessKeyID string
	// Params are the request's own parameters (query and body, without the common and
	// signature parameters).
	Params url.Values
}

// APIError is an error the fake answers with.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// rpc is the plumbing shared by the ECS and STS fakes.
type rpc struct {
	host    string // the service's host, for HostId in errors
	version string // the API version the fake speaks

	mu      sync.Mutex
	secrets map[string]string // AccessKeyId -> AccessKeySecret
	tokens  map[string]string // AccessKeyId -> SecurityToken required with it
	calls   []Call
	faults  map[string]APIError
	seq     int
}

// commonParams are the protocol's own parameters, left out of Call.Params.
var commonParams = []string{"Action", "Format", "Version", "Timestamp", "SignatureNonce", "SignatureMethod",
	"SignatureVersion", "AccessKeyId", "Signature", "SecurityToken"}

// AddCredentials lets accessKeyID sign requests with secret. A non-empty securityToken
// (STS credentials) must then come with every request of that key.
func (r *rpc) AddCredentials(accessKeyID, secret, securityToken string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets, r.tokens = map[string]string{}, map[string]string{}
	}
	r.secrets[accessKeyID], r.tokens[accessKeyID] = secret, securityToken
}

// Fail makes every later call of action answer err (until Fail(action, nil)).
func (r *rpc) Fail(action string, err *APIError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.faults == nil {
		r.faults = map[string]APIError{}
	}
	if err == nil {
		delete(r.faults, action)
		return
	}
	r.faults[action] = *err
}

// Calls returns the recorded calls, in order.
func (r *rpc) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Actions returns the actions called, in order.
func (r *rpc) Actions() []string {
	var out []string
	for _, c := range r.Calls() {
		out = append(out, c.Action)
	}
	return out
}

// requestID makes a RequestId shaped like Alibaba's (an upper-case UUID).
func (r *rpc) requestID() string {
	r.mu.Lock()
	r.seq++
	n := r.seq
	r.mu.Unlock()
	return fmt.Sprintf("473469C7-AA6F-4DC5-B3DB-%012X", n)
}

// parse authenticates the request and returns its action and parameters; on failure it
// has answered already.
func (r *rpc) parse(w http.ResponseWriter, req *http.Request) (string, url.Values, bool) {
	if err := req.ParseForm(); err != nil { // query and form body, merged
		r.fail(w, APIError{http.StatusBadRequest, "InvalidParameter", "The request body is not a valid form: " + err.Error()})
		return "", nil, false
	}
	p := req.Form
	action := p.Get("Action")
	switch {
	case action == "":
		r.fail(w, APIError{http.StatusBadRequest, "MissingAction", "The input parameter \"Action\" that is mandatory for processing this request is not supplied."})
		return "", nil, false
	case p.Get("Version") != r.version:
		r.fail(w, APIError{http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."})
		return "", nil, false
	case p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" || p.Get("Signature") == "":
		r.fail(w, APIError{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards."})
		return "", nil, false
	case p.Get("Timestamp") == "" || p.Get("SignatureNonce") == "":
		r.fail(w, APIError{http.StatusBadRequest, "MissingTimestamp", "The input parameter \"Timestamp\" or \"SignatureNonce\" that is mandatory for processing this request is not supplied."})
		return "", nil, false
	}
	key := p.Get("AccessKeyId")
	r.mu.Lock()
	secret, known := r.secrets[key]
	token := r.tokens[key]
	r.mu.Unlock()
	if !known {
		r.fail(w, APIError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."})
		return "", nil, false
	}
	if token != p.Get("SecurityToken") {
		r.fail(w, APIError{http.StatusBadRequest, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey."})
		return "", nil, false
	}
	if !hmac.Equal([]byte(p.Get("Signature")), []byte(Signature(req.Method, p, secret))) {
		r.fail(w, APIError{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."})
		return "", nil, false
	}
	own := url.Values{}
	for k, v := range p {
		if !slices.Contains(commonParams, k) {
			own[k] = v
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, Call{Action: action, AccessKeyID: key, Params: own})
	fault, faulty := r.faults[action]
	r.mu.Unlock()
	if faulty {
		r.fail(w, fault)
		return "", nil, false
	}
	return action, own, true
}

// Signature computes the RPC signature (version 1.0, HMAC-SHA1) of the parameters: the
// sorted, percent-encoded parameters but Signature, in "METHOD&%2F&…", keyed with
// secret + "&".
func Signature(method string, params url.Values, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, percentEncode(k)+"="+percentEncode(params.Get(k)))
	}
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode is RFC 3986 encoding as the signature needs it.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

func (r *rpc) fail(w http.ResponseWriter, e APIError) {
	r.write(w, e.Status, map[string]any{
		"RequestId": r.requestID(), "HostId": r.host, "Code": e.Code, "Message": e.Message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code),
	})
}

func (r *rpc) ok(w http.ResponseWriter, body map[string]any) {
	body["RequestId"] = r.requestID()
	r.write(w, http.StatusOK, body)
}

func (r *rpc) write(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// Serve starts h on 127.0.0.1 for the test's lifetime and returns its host:port (the
// form the SDK's Endpoint takes; the scheme is set apart, to http).
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
