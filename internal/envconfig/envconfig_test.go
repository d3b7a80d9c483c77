package envconfig

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestReadAll(t *testing.T) {
	v, err := Read(lookupFrom(map[string]string{
		AppName:            "svc",
		OTelServiceName:    "otel-svc",
		ServerAddress:      "http://127.0.0.1:4040",
		AdhocServerAddress: "http://127.0.0.1:4041",
		AuthToken:          "tok",
		BasicAuthUser:      "u",
		BasicAuthPassword:  "p",
		TenantID:           "t1",
		Labels:             "env=prod, region = eu ,",
		HTTPHeaders:        `{"X-A":"1"}`,
		UploadInterval:     "10s",
		ProfileTypes:       "cpu, alloc_space",
		OutputDir:          "/tmp/x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if v.AppName != "svc" || v.AppNameFrom != AppName {
		t.Errorf("app name %q from %q", v.AppName, v.AppNameFrom)
	}
	if v.ServerAddress != "http://127.0.0.1:4040" || v.AdhocAddress != "http://127.0.0.1:4041" || v.AuthToken != "tok" || v.BasicAuthUser != "u" ||
		v.BasicAuthPassword != "p" || v.TenantID != "t1" || v.OutputDir != "/tmp/x" {
		t.Errorf("strings not read: %+v", v)
	}
	if len(v.Tags) != 2 || v.Tags["env"] != "prod" || v.Tags["region"] != "eu" {
		t.Errorf("tags %v", v.Tags)
	}
	if v.HTTPHeaders["X-A"] != "1" || v.UploadRate != 10*time.Second {
		t.Errorf("headers %v rate %v", v.HTTPHeaders, v.UploadRate)
	}
	if len(v.ProfileTypes) != 2 || v.ProfileTypes[1] != "alloc_space" {
		t.Errorf("profile types %q", v.ProfileTypes)
	}
}

func TestOTelServiceNameIsFallback(t *testing.T) {
	v, err := Read(lookupFrom(map[string]string{OTelServiceName: "otel-svc", AppName: " "}))
	if err != nil || v.AppName != "otel-svc" || v.AppNameFrom != OTelServiceName {
		t.Fatalf("got %q from %q, %v", v.AppName, v.AppNameFrom, err)
	}
}

func TestUploadIntervalForms(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"15s": 15 * time.Second, "1m": time.Minute, "20": 20 * time.Second,
		"1.5": 1500 * time.Millisecond, "0.25": 250 * time.Millisecond, ".5": 500 * time.Millisecond,
	} {
		v, err := Read(lookupFrom(map[string]string{UploadInterval: in}))
		if err != nil || v.UploadRate != want {
			t.Errorf("%q: got %v, %v; want %v", in, v.UploadRate, err, want)
		}
	}
}

func TestMalformedVariablesAreNamedWithTheirValue(t *testing.T) {
	for name, value := range map[string]string{
		Labels:         "env",
		UploadInterval: "soon",
	} {
		_, err := Read(lookupFrom(map[string]string{name: value}))
		if want := fmt.Sprintf("%s=%q: ", name, value); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s=%q: got %v, want an error starting %s", name, value, err, want)
		}
	}
	for _, value := range []string{"-5s", "0", "1e3", "Inf", "NaN", "0x10", "1..5", ".", "1.5.", "99999999999999"} {
		if v, err := Read(lookupFrom(map[string]string{UploadInterval: value})); err == nil {
			t.Errorf("%s=%q accepted as %v", UploadInterval, value, v.UploadRate)
		}
	}
}

func TestMalformedHeadersAreNamedButNotShown(t *testing.T) {
	for _, value := range []string{`X-Secret: hunter2`, `{"X-Secret": hunter2}`, `{"X-Secret": 12345678}`, `["hunter2"]`} {
		_, err := Read(lookupFrom(map[string]string{HTTPHeaders: value}))
		if err == nil || !strings.HasPrefix(err.Error(), HTTPHeaders+" ") {
			t.Errorf("%q: got %v, want an error naming %s", value, err, HTTPHeaders)
			continue
		}
		for _, secret := range []string{"hunter2", "12345678", "X-Secret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%q: error %q repeats %q", value, err, secret)
			}
		}
	}
}

func TestLabelKeysAreReadAsWritten(t *testing.T) {
	// Keys are rewritten for the server later, the same way as Config.Tags
	// and pprof labels; reading keeps them as given.
	v, err := Read(lookupFrom(map[string]string{Labels: "user-id=42,9x=1"}))
	if err != nil || v.Tags["user-id"] != "42" || v.Tags["9x"] != "1" {
		t.Errorf("got %v, %v", v.Tags, err)
	}
}

func TestEmptyEnvironment(t *testing.T) {
	v, err := Read(lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if v.AppName != "" || v.Tags != nil || v.UploadRate != 0 || v.ProfileTypes != nil {
		t.Fatalf("empty environment gave %+v", v)
	}
}
