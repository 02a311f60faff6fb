// The file operations on a project: list, upload, download and delete. Upload and download are streams: their
// shapes say so (a multipart body, an answer of bytes), and the transports serve them accordingly.
import * as files from '../services/files'
import { operation } from './operation'

export const listFiles = operation({
  name: 'files.list',
  summary: 'List a project’s files, newest first (at most 500)',
  tag: 'Files',
  input: files.ListFilesInput,
  output: files.FileList,
  scope: 'files:read',
  role: 'member',
  http: { method: 'GET', path: '/api/v1/projects/{id}/files', status: 200 },
  run: files.list,
})

export const uploadFile = operation({
  name: 'files.upload',
  summary: 'Upload a file to a project (multipart/form-data, field "file"; up to 10 MB on Free, 100 MB on Pro)',
  tag: 'Files',
  input: files.UploadFileInput,
  output: files.FileInfo,
  scope: 'files:write',
  role: 'member',
  http: {
    method: 'POST',
    path: '/api/v1/projects/{id}/files',
    status: 201,
    location: (f) => `/api/v1/projects/${f.projectId}/files/${f.id}`,
    body: 'multipart',
    beforeBody: files.checkUpload,
  },
  run: files.upload,
})

export const downloadFile = operation({
  name: 'files.download',
  summary: 'Download a file (Range requests answered with 206)',
  tag: 'Files',
  input: files.FileInput,
  output: files.OpenedFileSchema,
  scope: 'files:read',
  role: 'member',
  http: {
    method: 'GET',
    path: '/api/v1/projects/{id}/files/{fileId}',
    status: 200,
    answer: 'bytes',
  },
  run: files.open,
})

export const deleteFile = operation({
  name: 'files.delete',
  summary: 'Delete a file (its uploader, or an admin or owner)',
  tag: 'Files',
  input: files.FileInput,
  // Over HTTP the answer is 204 with no body; the app says what it deleted.
  output: files.FileInfo,
  scope: 'files:write',
  role: 'member',
  http: { method: 'DELETE', path: '/api/v1/projects/{id}/files/{fileId}', status: 204 },
  run: files.remove,
})
