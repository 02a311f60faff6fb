// The empty page: what Next itself ships to a browser, the floor page weight is measured against.
export default function Page() {
  return <main />
}
