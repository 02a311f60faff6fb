// The size limits of a project's fields. Kept free of imports so the forms (client components) can use the same
// numbers the service enforces without pulling server code into the browser bundle.
export const PROJECT_NAME_MAX = 100
export const PROJECT_DESCRIPTION_MAX = 2000
