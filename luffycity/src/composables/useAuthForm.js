// The submit flow shared by the login and register forms: validate, call, toast, go back.
import { ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ElMessage } from 'element-plus'
import { formErrors } from '@/utils/errors'
import { safeRedirect } from '@/utils/navigation'

/**
 * @param {() => Promise} action      the store call (login or register)
 * @param {string[]} fields           form fields that can carry a server error
 * @param {{ success: string, failure: string }} messages
 */
export function useAuthForm(action, fields, messages) {
  const route = useRoute()
  const router = useRouter()
  const formRef = ref()
  const serverErrors = ref({})
  const submitting = ref(false)

  async function submit() {
    if (submitting.value) return
    ElMessage.closeAll() // the previous attempt's error is stale now
    serverErrors.value = {}
    const valid = await formRef.value.validate().catch(() => false)
    if (!valid) return
    submitting.value = true
    try {
      await action()
      ElMessage.closeAll()
      ElMessage.success(messages.success)
      router.replace(safeRedirect(route.query.redirect))
    } catch (err) {
      const { fields: errors, toast } = formErrors(err, fields, messages.failure)
      serverErrors.value = errors
      ElMessage.closeAll()
      ElMessage.error(toast)
    } finally {
      submitting.value = false
    }
  }

  return { formRef, serverErrors, submitting, submit }
}
