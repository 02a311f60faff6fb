// Files on a project page: upload, list, download and delete, with JavaScript (the upload goes through
// XMLHttpRequest with a progress bar) and without (the form posts to the upload route, which redirects back).
import { readFile } from 'node:fs/promises'
import { expect, type Page, test } from '@playwright/test'
import { confirmAndSubmit, confirmOpener, signUp, statusIn, submit } from './support'

async function newProject(page: Page, name: string) {
  const person = await signUp(page)
  await page.getByLabel('Name').fill(name)
  await submit(page.getByRole('button', { name: 'Create project' }))
  await page.getByRole('link', { name }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name)
  await expect(page.getByText('No files yet.')).toBeVisible()
  return person
}

const filesTable = (page: Page) => page.getByRole('region', { name: 'Files' }).locator('table')

test('a file is uploaded with the form, listed with its size and uploader, downloaded and deleted', async ({ page, javaScriptEnabled }) => {
  const me = await newProject(page, 'Papers')
  const content = `minutes of the meeting\n${'line of notes\n'.repeat(200)}`
  await page
    .getByLabel('File', { exact: true })
    .setInputFiles({ name: 'minutes – draft.txt', mimeType: 'text/plain', buffer: Buffer.from(content) })
  await page.getByRole('button', { name: 'Upload', exact: true }).click()
  // With JavaScript the page says so in place; without, the route redirects back with the outcome.
  await expect(statusIn(page)).toHaveText(javaScriptEnabled ? 'Uploaded minutes – draft.txt.' : 'File uploaded.')
  const row = filesTable(page).getByRole('row', { name: /minutes – draft\.txt/ })
  await expect(row).toContainText('2.8 KB')
  await expect(row).toContainText(me.name)

  const downloading = page.waitForEvent('download')
  await row.getByRole('link', { name: 'minutes – draft.txt' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe('minutes – draft.txt')
  expect(await readFile((await download.path()) ?? '', 'utf8')).toBe(content)

  await confirmAndSubmit(confirmOpener(row, 'Delete minutes – draft.txt'), 'Delete file')
  await expect(page.getByText('No files yet.')).toBeVisible()
})

test('a refused file says why, and nothing is listed', async ({ page }) => {
  await newProject(page, 'Refusals')
  const elf = Buffer.alloc(8192, 1)
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(elf)
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'tool.png', mimeType: 'image/png', buffer: elf })
  await page.getByRole('button', { name: 'Upload', exact: true }).click()
  await expect(page.locator('main').getByRole('alert')).toContainText('cannot be uploaded')
  await expect(page.getByText('No files yet.')).toBeVisible()
})

test('the upload shows a progress bar while it runs @needs-js', async ({ page }) => {
  await newProject(page, 'Large')
  // Slow the upload down (Chromium's network emulation) so the progress bar is on screen long enough to see.
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 })
  const png = Buffer.alloc(3 * 1024 * 1024, 7)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(png)
  Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x49, 0x44, 0x41, 0x54]).copy(png, 16)
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png })
  await page.getByRole('button', { name: 'Upload', exact: true }).click()
  const bar = page.getByRole('progressbar', { name: 'Upload progress' })
  await expect(bar).toBeVisible()
  await expect(page.getByRole('button', { name: 'Uploading…' })).toBeDisabled()
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await expect(statusIn(page)).toHaveText('Uploaded photo.png.', { timeout: 30_000 })
  await expect(bar).toHaveCount(0)
  await expect(filesTable(page).getByRole('row', { name: /photo\.png/ })).toContainText('3 MB')
})
