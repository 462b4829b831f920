// A small Helm-compatible renderer for this project's chart, for machines without helm: Go
// text/template + sprig, plus the Helm built-ins the chart uses (include, tpl, required, fail,
// toYaml, fromYaml, .Values, .Release, .Chart, .Template) and values.schema.json. Not a general Helm replacement:
// no subcharts, hooks, .Files, .Capabilities or lookup.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// Values is a tree of chart values, as decoded from YAML (numbers are float64, as in Helm).
type Values = map[string]interface{}

// Release is what templates see as .Release.
type Release struct {
	Name      string
	Namespace string
	Service   string
	IsInstall bool
	IsUpgrade bool
	Revision  int
}

// Rendered is one template's output, keyed by its path (e.g. crnp-gateway/templates/x.yaml).
type Rendered map[string]string

const maxIncludeDepth = 1000 // as Helm: stops a template that includes itself forever

// loadYAMLFile decodes a YAML mapping file; an empty file is an empty mapping.
func loadYAMLFile(path string) (Values, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	values := Values{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return values, nil
}

// chartMetadata maps Chart.yaml keys to the field names Helm exposes (.Chart.AppVersion...).
func chartMetadata(raw Values) Values {
	meta := Values{}
	for key, value := range raw {
		switch key {
		case "apiVersion":
			meta["APIVersion"] = value
		default:
			meta[strings.ToUpper(key[:1])+key[1:]] = value
		}
	}
	return meta
}

// MergeValues overlays `override` on `base` as Helm does: maps merge key by key, anything
// else (lists included) is replaced; a null override deletes the key.
func MergeValues(base, override Values) Values {
	out := Values{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		baseMap, baseIsMap := out[k].(map[string]interface{})
		overMap, overIsMap := v.(map[string]interface{})
		if baseIsMap && overIsMap {
			out[k] = MergeValues(baseMap, overMap)
		} else {
			out[k] = v
		}
	}
	return out
}

// ParseSet turns one --set style assignment "a.b.c=value" into an override tree; the value is
// read as a YAML scalar or flow collection (true, 3, [a, b], {k: v}, "text"; null removes).
func ParseSet(assignment string) (Values, error) {
	eq := strings.Index(assignment, "=")
	if eq <= 0 {
		return nil, fmt.Errorf("--set %q: want key=value", assignment)
	}
	var value interface{}
	if err := yaml.Unmarshal([]byte(assignment[eq+1:]), &value); err != nil {
		return nil, fmt.Errorf("--set %q: %w", assignment, err)
	}
	keys := strings.Split(assignment[:eq], ".")
	override := Values{keys[len(keys)-1]: value}
	for i := len(keys) - 2; i >= 0; i-- {
		override = Values{keys[i]: override}
	}
	return override, nil
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(text string) Values {
	values := Values{}
	if err := yaml.Unmarshal([]byte(text), &values); err != nil {
		values["Error"] = err.Error()
	}
	return values
}

// newTemplateSet parses every file of templates/ into one set, with the Helm functions bound
// to it (include and tpl must see the chart's named templates).
func newTemplateSet(chartName, dir string) (*template.Template, []string, error) {
	set := template.New(chartName).Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these: rendering must not depend on the machine
	delete(funcs, "expandenv")
	depth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if depth++; depth > maxIncludeDepth {
			return "", fmt.Errorf("include %q: nested more than %d deep", name, maxIncludeDepth)
		}
		defer func() { depth-- }()
		var out strings.Builder
		err := set.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := set.Clone()
		if err != nil {
			return "", err
		}
		inline, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl %q: %w", text, err)
		}
		var out strings.Builder
		if err := inline.Execute(&out, data); err != nil {
			return "", fmt.Errorf("tpl %q: %w", text, err)
		}
		return strings.ReplaceAll(out.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, fmt.Errorf("%s", message)
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	set.Funcs(funcs)

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, entry := range entries {
		if entry.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, entry.Name()))
		if err != nil {
			return nil, nil, err
		}
		name := chartName + "/templates/" + entry.Name()
		if _, err := set.New(name).Parse(string(data)); err != nil {
			return nil, nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return set, names, nil
}

// Render renders the chart in chartDir with its values.yaml overlaid by `overrides` (in
// order). Partials (files starting with "_") only define templates and are not output.
func Render(chartDir string, release Release, overrides ...Values) (Rendered, error) {
	rawChart, err := loadYAMLFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	chart := chartMetadata(rawChart)
	name, _ := chart["Name"].(string)
	if name == "" {
		return nil, fmt.Errorf("%s/Chart.yaml: no name", chartDir)
	}
	values, err := loadYAMLFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	for _, override := range overrides {
		values = MergeValues(values, override)
	}
	if err := validateValues(chartDir, name, values); err != nil {
		return nil, err
	}
	set, names, err := newTemplateSet(name, filepath.Join(chartDir, "templates"))
	if err != nil {
		return nil, err
	}
	rendered := Rendered{}
	for _, file := range names {
		if strings.HasPrefix(filepath.Base(file), "_") {
			continue
		}
		top := Values{
			"Values":   values,
			"Release":  release,
			"Chart":    chart,
			"Template": Values{"Name": file, "BasePath": name + "/templates"},
		}
		var out strings.Builder
		if err := set.ExecuteTemplate(&out, file, top); err != nil {
			return nil, err
		}
		rendered[file] = strings.ReplaceAll(out.String(), "<no value>", "")
	}
	return rendered, nil
}

// Manifests joins the rendered Kubernetes manifests (not NOTES.txt) as one YAML stream, in
// file name order, each headed by its source like `helm template`.
func (r Rendered) Manifests() string {
	var names []string
	for name := range r {
		if !strings.HasSuffix(name, "NOTES.txt") && strings.TrimSpace(r[name]) != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out strings.Builder
	for _, name := range names {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.Trim(r[name], "\n"))
	}
	return out.String()
}

// Notes is the rendered NOTES.txt, or "" when the chart has none.
func (r Rendered) Notes() string {
	for name, text := range r {
		if strings.HasSuffix(name, "/templates/NOTES.txt") {
			return text
		}
	}
	return ""
}
