// Package apierror turns the Alibaba Cloud SDK's multi-line SDKError into one line:
// "Code (HTTP status): message, request id", for build logs and reports.
package apierror

import (
	"errors"
	"fmt"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// Error is one API error answer.
type Error struct {
	Code, Message string
	Status        int
}

func (e *Error) Error() string { return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message) }

// Clean returns err as an *Error when it is an SDK error, else err.
func Clean(err error) error {
	var d *dara.SDKError
	if errors.As(err, &d) {
		return &Error{Code: dara.StringValue(d.Code), Message: dara.StringValue(d.Message), Status: dara.IntValue(d.StatusCode)}
	}
	var t *tea.SDKError
	if errors.As(err, &t) {
		return &Error{Code: tea.StringValue(t.Code), Message: tea.StringValue(t.Message), Status: tea.IntValue(t.StatusCode)}
	}
	return err
}
