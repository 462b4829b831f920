// Built in GOPATH mode against Debian's Go packages (see scripts/lib/helm.sh); this file only
// lets GOPATH mode resolve the "/v3" import of sprig (minimal module compatibility).
module helmrender

go 1.19
