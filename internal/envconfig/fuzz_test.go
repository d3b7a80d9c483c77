package envconfig

import (
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary values to the variables that are parsed, and
// checks that Read never panics, that what it accepts is well formed, and
// that a refused PYROSCOPE_HTTP_HEADERS never shows up in the error (its
// values are secrets).
func FuzzRead(f *testing.F) {
	f.Add("env=prod,region=eu", `{"X-A":"1"}`, "15s", "cpu,alloc_space")
	f.Add("user-id=42, 9lives = cat ,", `{"Authorization":"Bearer s3cr3t-t0ken"}`, "1.5", "goroutines")
	f.Add("k=v=w,=x", `{"X": 12345678}`, "0x10", ",,")
	f.Add("novalue", `not json at all s3cr3t`, "-1s", "")
	f.Add("a=1,a=2", `{"A":"x\r\ny"}`, "99999999999999999999", "cpu")
	f.Fuzz(func(t *testing.T, labels, headers, interval, types string) {
		v, err := Read(lookupFrom(map[string]string{
			Labels: labels, HTTPHeaders: headers, UploadInterval: interval, ProfileTypes: types,
		}))
		if err != nil {
			if secret := strings.TrimSpace(headers); len(secret) >= 8 && strings.HasPrefix(err.Error(), HTTPHeaders) &&
				strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q shows the headers %q", err, secret)
			}
			return
		}
		for k, val := range v.Tags {
			if k == "" || k != strings.TrimSpace(k) || val != strings.TrimSpace(val) || strings.Contains(k, ",") {
				t.Fatalf("tag %q=%q from %q", k, val, labels)
			}
		}
		if v.UploadRate < 0 || (strings.TrimSpace(interval) != "" && v.UploadRate == 0) {
			t.Fatalf("interval %q read as %v", interval, v.UploadRate)
		}
		for _, pt := range v.ProfileTypes {
			if pt == "" || pt != strings.TrimSpace(pt) || strings.Contains(pt, ",") {
				t.Fatalf("profile type %q from %q", pt, types)
			}
		}
	})
}
