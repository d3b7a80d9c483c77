package ember

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type cannedDoer struct{ got *http.Request }

func (c *cannedDoer) Do(req *http.Request) (*http.Response, error) {
	c.got = req
	return &http.Response{StatusCode: http.StatusFound, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{"Location": {"http://elsewhere/"}}, Request: req}, nil
}

func TestAsHTTPClient(t *testing.T) {
	if asHTTPClient(nil) != nil {
		t.Error("nil client not kept nil (the uploader's default)")
	}
	std := &http.Client{}
	if asHTTPClient(std) != std {
		t.Error("*http.Client not used as given")
	}
	custom := &cannedDoer{}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4040/ingest", nil)
	resp, err := asHTTPClient(custom).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if custom.got == nil || custom.got.URL.Path != "/ingest" {
		t.Fatal("request did not go through the custom client's Do")
	}
	if resp.StatusCode != http.StatusFound {
		t.Errorf("redirect followed outside the custom client: status %d", resp.StatusCode)
	}
}
