; The steps of a loader function, in source order: declarations (variables bound to skeletons,
; programs, maps, fds, opts), assignments (slot re-pointing, rebinding) and calls.
(declaration) @step
(assignment_expression) @step
(call_expression) @step
