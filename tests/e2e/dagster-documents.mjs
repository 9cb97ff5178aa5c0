// dagster-documents.mjs — Dagster's own GraphQL documents, verbatim, for the
// end-to-end tests that send them (workspace.test.mjs, runs.test.mjs,
// client.test.mjs): the queries of Dagster's GraphQL API docs page and the
// operations of its Python client. Kept in one place so every test sends the
// very same text, byte for byte as Dagster has it: a stray edit here would
// stop the tests from showing that what Dagster's users send works.

// ---- Dagster's GraphQL API docs page (docs.dagster.io/guides/operate/graphql)

// Docs page, "Get a list of repositories".
export const REPOSITORIES_QUERY = `
query RepositoriesQuery {
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        name
        location {
          name
        }
      }
    }
  }
}
`;

// Docs page, "Get a list of jobs within a repository".
export const JOBS_QUERY = `
query JobsQuery(
  $repositoryLocationName: String!
  $repositoryName: String!
) {
  repositoryOrError(
    repositorySelector: {
      repositoryLocationName: $repositoryLocationName
      repositoryName: $repositoryName
    }
  ) {
    ... on Repository {
      jobs {
        name
      }
    }
  }
}
`;

// Docs page, "Get a list of Dagster runs": paginated.
export const PAGINATED_RUNS_QUERY = `
query PaginatedRunsQuery($cursor: String) {
  runsOrError(
    cursor: $cursor
    limit: 10
  ) {
    __typename
    ... on Runs {
      results {
        runId
        jobName
        status
        runConfigYaml
        startTime
        endTime
      }
    }
  }
}
`;

// Docs page, "Get a list of Dagster runs", "Filtering runs": all failed runs.
export const FILTERED_RUNS_QUERY = `
query FilteredRunsQuery($cursor: String) {
  runsOrError(
    filter: { statuses: [FAILURE] }
    cursor: $cursor
    limit: 10
  ) {
    __typename
    ... on Runs {
      results {
        runId
        jobName
        status
        runConfigYaml
        startTime
        endTime
      }
    }
  }
}
`;

// Docs page, "Launch a run".
export const LAUNCH_RUN_MUTATION = `
mutation LaunchRunMutation(
  $repositoryLocationName: String!
  $repositoryName: String!
  $jobName: String!
  $runConfigData: RunConfigData!
) {
  launchRun(
    executionParams: {
      selector: {
        repositoryLocationName: $repositoryLocationName
        repositoryName: $repositoryName
        jobName: $jobName
      }
      runConfigData: $runConfigData
    }
  ) {
    __typename
    ... on LaunchRunSuccess {
      run {
        runId
      }
    }
    ... on RunConfigValidationInvalid {
      errors {
        message
        reason
      }
    }
    ... on PythonError {
      message
    }
  }
}
`;

// ---- dagster_graphql/client/client_queries.py: the operations DagsterGraphQLClient
// sends, under the names of its constants

// client_queries.py CLIENT_SUBMIT_PIPELINE_RUN_MUTATION (submit_job_execution).
export const CLIENT_SUBMIT_PIPELINE_RUN_MUTATION = `
mutation($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename

    ... on InvalidStepError {
      invalidStepKey
    }
    ... on InvalidOutputError {
      stepKey
      invalidOutputName
    }
    ... on LaunchPipelineRunSuccess {
      run {
        runId
      }
    }
    ... on ConflictingExecutionParamsError {
      message
    }
    ... on PresetNotFoundError {
      message
    }
    ... on PipelineRunConflict {
      message
    }
    ... on PipelineConfigValidationInvalid {
      errors {
        __typename
        message
        path
        reason
      }
    }
    ... on PipelineNotFoundError {
      message
    }
    ... on PythonError {
      message
    }
  }
}
`;

// client_queries.py CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY (the
// repository lookup behind submit_job_execution when no location is named).
export const CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY = `
query {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location {
          name
        }
        pipelines {
          name
        }
      }
    }
    ... on PythonError {
      message
    }
  }
}
`;

// client_queries.py RELOAD_REPOSITORY_LOCATION_MUTATION (reload_repository_location).
export const RELOAD_REPOSITORY_LOCATION_MUTATION = `
mutation ($repositoryLocationName: String!) {
   reloadRepositoryLocation(repositoryLocationName: $repositoryLocationName) {
      __typename
      ... on WorkspaceLocationEntry {
        name
        locationOrLoadError {
          __typename
          ... on RepositoryLocation {
            isReloadSupported
            repositories {
                name
            }
          }
          ... on PythonError {
            message
          }
        }
      }
      ... on ReloadNotSupported {
        message
      }
      ... on RepositoryLocationNotFound {
        message
      }
   }
}
`;

// client_queries.py GET_PIPELINE_RUN_STATUS_QUERY (get_run_status).
export const GET_PIPELINE_RUN_STATUS_QUERY = `
query($runId: ID!) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun {
        status
    }
    ... on PipelineRunNotFoundError {
      message
    }
    ... on PythonError {
      message
    }
  }
}
`;

// client_queries.py SHUTDOWN_REPOSITORY_LOCATION_MUTATION
// (shutdown_repository_location).
export const SHUTDOWN_REPOSITORY_LOCATION_MUTATION = `
mutation ($repositoryLocationName: String!) {
   shutdownRepositoryLocation(repositoryLocationName: $repositoryLocationName) {
      __typename
      ... on PythonError {
        message
      }
      ... on RepositoryLocationNotFound {
        message
      }
   }
}
`;

// client_queries.py TERMINATE_RUN_JOB_MUTATION (terminate_run). The docs page's
// "Terminate an in-progress run" is this very text: TERMINATE_RUN_MUTATION below.
export const TERMINATE_RUN_JOB_MUTATION = `
mutation TerminateRun($runId: String!) {
  terminateRun(runId: $runId){
    __typename
    ... on TerminateRunSuccess{
      run {
        runId
      }
    }
    ... on TerminateRunFailure {
      message
    }
    ... on RunNotFoundError {
      runId
    }
    ... on PythonError {
      message
      stack
    }
  }
}
`;

// client_queries.py TERMINATE_RUNS_JOB_MUTATION (terminate_runs; in
// client_queries.py since dagster-io/dagster#21775).
export const TERMINATE_RUNS_JOB_MUTATION = `
mutation GraphQLClientTerminateRuns($runIds: [String!]!) {
  terminateRuns(runIds: $runIds) {
    __typename
    ... on TerminateRunsResult {
      terminateRunResults {
        __typename
        ... on TerminateRunSuccess {
          run  {
            runId
          }
        }
        ... on TerminateRunFailure {
          message
        }
        ... on RunNotFoundError {
          runId
          message
        }
        ... on UnauthorizedError {
          message
        }
        ... on PythonError {
          message
          stack
        }
      }
    }
  }
}
`;

// Docs page, "Terminate an in-progress run" (the same text as the client's).
export const TERMINATE_RUN_MUTATION = TERMINATE_RUN_JOB_MUTATION;
