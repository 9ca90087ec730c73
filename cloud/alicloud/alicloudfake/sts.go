package alicloudfake

import (
	"net/http"
)

// Identity types GetCallerIdentity answers.
const (
	IdentityAccount     = "Account" // the account's own (root) AccessKey
	IdentityRAMUser     = "RAMUser"
	IdentityAssumedRole = "AssumedRoleUser"
)

// STS fakes GetCallerIdentity (API version 2015-04-01) for one caller.
type STS struct {
	rpc
	IdentityType, AccountID, PrincipalID, Arn string
}

// NewSTS answers as a caller of identityType in accountID: Account (arn …:root),
// RAMUser (…:user/packer-build) or AssumedRoleUser (…:assumed-role/packer-build/sanitize).
func NewSTS(identityType, accountID string) *STS {
	s := &STS{rpc: rpc{host: "sts.aliyuncs.com", version: "2015-04-01"}, IdentityType: identityType, AccountID: accountID}
	switch identityType {
	case IdentityAccount:
		s.PrincipalID, s.Arn = accountID, "acs:ram::"+accountID+":root"
	case IdentityRAMUser:
		s.PrincipalID, s.Arn = "203783487390110120", "acs:ram::"+accountID+":user/packer-build"
	default:
		s.PrincipalID, s.Arn = "300800165472817393:sanitize", "acs:ram::"+accountID+":assumed-role/packer-build/sanitize"
	}
	return s
}

func (s *STS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action, _, ok := s.parse(w, r)
	if !ok {
		return
	}
	if action != "GetCallerIdentity" {
		s.fail(w, APIError{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."})
		return
	}
	body := map[string]any{"IdentityType": s.IdentityType, "AccountId": s.AccountID, "PrincipalId": s.PrincipalID,
		"UserId": s.PrincipalID, "Arn": s.Arn}
	if s.IdentityType == IdentityAssumedRole {
		body["RoleId"] = "300800165472817393"
	}
	s.ok(w, body)
}
