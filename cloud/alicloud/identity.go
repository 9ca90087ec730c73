package alicloud

import (
	"errors"
	"fmt"

	sts "github.com/alibabacloud-go/sts-20150401/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/apierror"
)

// STSAPI is the part of the STS client (*sts.Client) CheckCaller uses.
type STSAPI interface {
	GetCallerIdentity() (*sts.GetCallerIdentityResponse, error)
}

// Identity is who the credentials belong to.
type Identity struct {
	Arn       string `json:"arn"`
	AccountID string `json:"account_id"`
	// IdentityType is Account (the account's own AccessKey), RAMUser or AssumedRoleUser.
	IdentityType string `json:"identity_type"`
	PrincipalID  string `json:"principal_id,omitempty"`
}

// Root tells whether the identity is the account itself: its AccessKey can do anything
// and cannot be limited by a RAM policy.
func (id Identity) Root() bool { return id.IdentityType == "Account" }

// ErrRootCredentials is returned by CheckCaller for the account's own AccessKey.
var ErrRootCredentials = errors.New("refusing to run with the Alibaba Cloud account's own (root) AccessKey")

// CheckCaller asks STS who the credentials belong to, and refuses the account itself
// unless allowRoot: a RAM user or role with the minimal policy of the docs does the job.
func CheckCaller(api STSAPI, allowRoot bool) (Identity, error) {
	out, err := api.GetCallerIdentity()
	if err != nil {
		return Identity{}, fmt.Errorf("alicloud: sts:GetCallerIdentity: %w", apierror.Clean(err))
	}
	if out == nil || out.Body == nil {
		return Identity{}, errors.New("alicloud: sts:GetCallerIdentity returned no body")
	}
	b := out.Body
	id := Identity{Arn: tea.StringValue(b.Arn), AccountID: tea.StringValue(b.AccountId),
		IdentityType: tea.StringValue(b.IdentityType), PrincipalID: tea.StringValue(b.PrincipalId)}
	switch id.IdentityType {
	case "Account", "RAMUser", "AssumedRoleUser":
	default:
		return id, fmt.Errorf("alicloud: sts:GetCallerIdentity returned the identity type %q, not Account, RAMUser or AssumedRoleUser", id.IdentityType)
	}
	if id.Root() && !allowRoot {
		return id, fmt.Errorf("%w (%s): use a RAM user or role with the minimal policy from the docs, or set allow_root_credentials = true", ErrRootCredentials, id.Arn)
	}
	return id, nil
}

// CheckCaller is CheckCaller with these clients.
func (c *Clients) CheckCaller(allowRoot bool) (Identity, error) {
	return CheckCaller(c.STS, allowRoot)
}
