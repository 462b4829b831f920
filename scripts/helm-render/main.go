// helm-render: renders a chart like `helm template`, for machines without helm.
//
//	helm-render [-f values.yaml]... [--set key=value]... [--name R] [--namespace N] [--notes] CHART_DIR
//
// Prints the manifests (or, with --notes, NOTES.txt) on stdout; exits 1 when rendering fails.
package main

import (
	"flag"
	"fmt"
	"os"
)

type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var valueFiles, sets listFlag
	flag.Var(&valueFiles, "f", "values file to overlay (repeatable, applied in order)")
	flag.Var(&sets, "set", "key.path=value to overlay after the files (repeatable)")
	name := flag.String("name", "crnp-gateway", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [-f values.yaml]... [--set k=v]... [--notes] CHART_DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), valueFiles, sets, Release{Name: *name, Namespace: *namespace,
		Service: "Helm", IsInstall: true, Revision: 1}, *notes); err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(1)
	}
}

func run(chartDir string, valueFiles, sets []string, release Release, notes bool) error {
	var overrides []Values // applied in order, so a null still removes a default
	for _, file := range valueFiles {
		values, err := loadYAMLFile(file)
		if err != nil {
			return err
		}
		overrides = append(overrides, values)
	}
	for _, assignment := range sets {
		override, err := ParseSet(assignment)
		if err != nil {
			return err
		}
		overrides = append(overrides, override)
	}
	rendered, err := Render(chartDir, release, overrides...)
	if err != nil {
		return err
	}
	if notes {
		fmt.Print(rendered.Notes())
	} else {
		fmt.Print(rendered.Manifests())
	}
	return nil
}
