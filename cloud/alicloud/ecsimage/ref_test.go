package ecsimage_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

func TestParseArtifactID(t *testing.T) {
	for _, tc := range []struct {
		id      string
		want    []ecsimage.Ref
		wantErr string // substring of the error
	}{
		{id: "cn-hangzhou:m-bp1g7004ksh0oeuco1ab", want: []ecsimage.Ref{{Region: "cn-hangzhou", ImageID: "m-bp1g7004ksh0oeuco1ab"}}},
		{id: "cn-hangzhou:m-bp1aaaaaaaa,ap-southeast-1:m-t4nbbbbbbbb,cn-hangzhou:m-bp1aaaaaaaa",
			want: []ecsimage.Ref{{Region: "cn-hangzhou", ImageID: "m-bp1aaaaaaaa"}, {Region: "ap-southeast-1", ImageID: "m-t4nbbbbbbbb"}}},
		{id: "cn-shanghai-finance-1:m-abcdefgh12", want: []ecsimage.Ref{{Region: "cn-shanghai-finance-1", ImageID: "m-abcdefgh12"}}},
		{id: "", wantErr: "empty artifact id: want region:m-"},
		{id: "m-bp1aaaaaaaa", wantErr: "no ':'"},
		{id: "cn-hangzhou:ami-12345678", wantErr: `"ami-12345678" is not a custom image id`},
		{id: "cn-hangzhou:m-BP1AAAAAAAA", wantErr: "is not a custom image id"},
		{id: "Hangzhou:m-bp1aaaaaaaa", wantErr: `"Hangzhou" is not an Alibaba Cloud region id`},
		{id: "cn-hangzhou:m-bp1aaaaaaaa,cn-beijing:i-bp1aaaaaaaa", wantErr: `part 2 "cn-beijing:i-bp1aaaaaaaa"`},
	} {
		got, err := ecsimage.ParseArtifactID(tc.id)
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
