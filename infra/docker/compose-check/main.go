// Command compose-check validates Compose files without a Docker engine. It loads them with
// compose-go, the library behind `docker compose config`, which checks them against the
// Compose specification schema, interpolates variables and checks references between
// services, networks and volumes. It then checks what only a build or a start would reveal:
// build contexts, Dockerfiles and bind-mount sources exist, and every pulled image is pinned.
//
// Usage: compose-check FILE...
// The files merge into one project, as with several -f options. Variables come from the
// environment and from the .env file beside the first file. Exits 1 on any finding.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE...")
		os.Exit(2)
	}
	project, err := loadProject(files)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
		os.Exit(1)
	}
	findings := checkProject(project)
	for _, finding := range findings {
		fmt.Fprintf(os.Stderr, "compose-check: %s\n", finding)
	}
	if len(findings) > 0 {
		os.Exit(1)
	}
	fmt.Printf("compose-check: %d services valid in %v\n", len(project.Services), files)
}

// loadProject loads the files as one project, with variables from the environment and from
// the .env file beside the first file.
func loadProject(files []string) (*types.Project, error) {
	options, err := cli.NewProjectOptions(files,
		cli.WithOsEnv,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

// checkProject returns one message per problem found, sorted by service name.
func checkProject(project *types.Project) []string {
	var findings []string
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		for _, err := range checkService(service) {
			findings = append(findings, fmt.Sprintf("service %q: %v", name, err))
		}
	}
	return findings
}

func checkService(service types.ServiceConfig) []error {
	var problems []error
	if service.Build != nil {
		problems = append(problems, checkBuild(service.Build)...)
	} else if err := checkPinned(service.Image); err != nil {
		problems = append(problems, err)
	}
	for _, volume := range service.Volumes {
		if volume.Type != types.VolumeTypeBind {
			continue
		}
		if _, err := os.Stat(volume.Source); err != nil {
			problems = append(problems, fmt.Errorf("bind mount source %s: %w", volume.Source, err))
		}
	}
	return problems
}

// checkBuild checks that the build context is a folder and that the Dockerfile exists.
func checkBuild(build *types.BuildConfig) []error {
	if build.DockerfileInline != "" {
		return nil
	}
	info, err := os.Stat(build.Context)
	if err != nil {
		return []error{fmt.Errorf("build context: %w", err)}
	}
	if !info.IsDir() {
		return []error{fmt.Errorf("build context %s is not a folder", build.Context)}
	}
	dockerfile := build.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(build.Context, dockerfile)
	}
	if _, err := os.Stat(dockerfile); err != nil {
		return []error{fmt.Errorf("dockerfile: %w", err)}
	}
	return nil
}

// checkPinned rejects an image without a tag or digest, or with the tag "latest", because
// such an image changes whenever its publisher pushes.
func checkPinned(image string) error {
	if image == "" {
		return errors.New("has neither image nor build")
	}
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("image %q: %w", image, err)
	}
	if _, digested := named.(reference.Digested); digested {
		return nil
	}
	tagged, isTagged := named.(reference.Tagged)
	if !isTagged || tagged.Tag() == "latest" {
		return fmt.Errorf("image %q is not pinned to a version tag or digest", image)
	}
	return nil
}
