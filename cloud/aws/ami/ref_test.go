package ami_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

func TestParseArtifactID(t *testing.T) {
	for _, tc := range []struct {
		id      string
		want    []ami.Ref
		wantErr string // substring of the error
	}{
		{id: "us-east-1:ami-0abc1234def567890", want: []ami.Ref{{Region: "us-east-1", ImageID: "ami-0abc1234def567890"}}},
		{id: "us-east-1:ami-0abc1234,eu-west-1:ami-0def5678", want: []ami.Ref{{Region: "us-east-1", ImageID: "ami-0abc1234"}, {Region: "eu-west-1", ImageID: "ami-0def5678"}}},
		{id: " us-gov-west-1:ami-12345678 , cn-north-1:ami-87654321 ", want: []ami.Ref{{Region: "us-gov-west-1", ImageID: "ami-12345678"}, {Region: "cn-north-1", ImageID: "ami-87654321"}}},
		{id: "us-east-1:ami-12345678,us-east-1:ami-12345678", want: []ami.Ref{{Region: "us-east-1", ImageID: "ami-12345678"}}},
		{id: "", wantErr: "empty artifact id"},
		{id: "ami-12345678", wantErr: "no ':'"},
		{id: "us-east-1:m-12345678", wantErr: `"m-12345678" is not an AMI id`},
		{id: "us-east-1:ami-XYZ", wantErr: `"ami-XYZ" is not an AMI id`},
		{id: "useast:ami-12345678", wantErr: `"useast" is not an AWS region`},
		{id: "us-east-1:ami-12345678,eu-west-1:snap-12345678", wantErr: `part 2 "eu-west-1:snap-12345678"`},
		{id: "us-east-1:ami-12345678,", wantErr: "part 2 \"\": empty part"},
	} {
		got, err := ami.ParseArtifactID(tc.id)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want one containing %q", tc.id, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, %v; want %v", tc.id, got, err, tc.want)
		}
	}
}
