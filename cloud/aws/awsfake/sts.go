package awsfake

import (
	"encoding/xml"
	"net/http"
	"strings"
	"sync"
)

// STS fakes GetCallerIdentity (Query protocol, XML answer) for one caller.
type STS struct {
	ARN, Account, UserID string

	mu    sync.Mutex
	calls int
	auth  authLog
}

// NewSTS answers as the caller arn; the account is read from the ARN.
func NewSTS(arn string) *STS {
	account := ""
	if parts := strings.Split(arn, ":"); len(parts) >= 5 {
		account = parts[4]
	}
	return &STS{ARN: arn, Account: account, UserID: "AIDAFAKEUSERID0000001"}
}

// Calls counts GetCallerIdentity calls.
func (s *STS) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// AccessKeys lists the access key ids that signed requests to the fake.
func (s *STS) AccessKeys() []string { return s.auth.accessKeys() }

type callerIdentityResponse struct {
	XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Arn       string   `xml:"GetCallerIdentityResult>Arn"`
	UserID    string   `xml:"GetCallerIdentityResult>UserId"`
	Account   string   `xml:"GetCallerIdentityResult>Account"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func (s *STS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.auth.check(w, r, stsError) {
		return
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		stsError(w, http.StatusBadRequest, "InvalidRequest", "expected a form-encoded POST")
		return
	}
	if a := r.PostForm.Get("Action"); a != "GetCallerIdentity" {
		stsError(w, http.StatusBadRequest, "InvalidAction", "Could not find operation "+a)
		return
	}
	s.mu.Lock()
	s.calls++
	resp := callerIdentityResponse{Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", Arn: s.ARN,
		UserID: s.UserID, Account: s.Account, RequestID: requestID}
	s.mu.Unlock()
	writeXML(w, resp)
}

func stsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(stsErrorResponse{Type: "Sender", Code: code, Message: msg, RequestID: requestID})
}
