// What a server action makes of its arguments: a form becomes plain input; anything else a caller posts is VALIDATION.
import { describe, expect, test } from 'vitest'
import { ValidationError } from '../../src/server/errors'
import { submittedFormInput } from '../../src/server/transports/form-values'

describe('the submitted form', () => {
  test('a form becomes plain input, without the framework fields', () => {
    const form = new FormData()
    form.set('email', 'ada@example.test')
    form.append('tag', 'a')
    form.append('tag', 'b')
    form.set('$ACTION_ID_abc', '')
    expect(submittedFormInput(form)).toEqual({ email: 'ada@example.test', tag: ['a', 'b'] })
  })

  test.each([
    ['a JSON object', { email: 'ada@example.test', password: 'x' }],
    ['a string', 'email=ada@example.test'],
    ['null', null],
    ['nothing', undefined],
    ['an array', [['email', 'ada@example.test']]],
    ['something that looks like a form', { keys: () => [], getAll: () => [] }],
  ])('%s is a VALIDATION failure, not a crash', (_name, submitted) => {
    const call = () => submittedFormInput(submitted)
    expect(call).toThrow(ValidationError)
    expect(call).toThrow('Expected a form submission.')
  })
})
